"""Demo fines of a writing site (``seed``; wired into ``tenant_apps/writing/demo.py`` after the
orders, as it places an order of its own).

* **A late delivery, fined by the rules and forgiven**: ``writer@`` submitted an order of
  ``client@``'s five hours past its deadline (placed four days ago, due two days ago); the editor
  delivered it, the client approved it, and the late fine (5 started hours x 2 % of the total) was
  deducted from the earning. The writer appealed (the client had changed the brief) and an admin
  accepted: the fine is reversed, the money back in the wallet.
* **Plagiarism, fined by an admin**: ``writer2@`` fined 15.00, deducted as far as the balance
  allowed; the appeal was rejected with the reason.
* **An appeal waiting**: ``writer3@`` fined 5.00 for a missed check-in, appealed, not decided.

Idempotent: each of the three is made once (found again by its order's topic or the fine's reason).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

#: The late order's topic (how a second run finds it).
LATE_TOPIC = "The Silk Road as a network of exchange"
#: The admins' fines' reasons (how a second run finds them).
PLAGIARISM = "Plagiarism: three paragraphs copied from a published article without citation."
MISSED_CHECK_IN = "Missed the agreed outline check-in with the editor."


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (the late order's past)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _late_delivery(people: dict[str, Any]) -> None:
    """The late order, its fine deducted from the earning, appealed and accepted."""
    from tenant_apps.wallet.services import wallet_open, wallet_top_up
    from tenant_apps.writing.fines.models import Fine
    from tenant_apps.writing.fines.services import fine_appeal, fine_appeal_accept
    from tenant_apps.writing.orders import services as orders
    from tenant_apps.writing.orders.models import Order

    if Order.objects.filter(topic=LATE_TOPIC).exists():
        return
    now = timezone.now()
    placed_at, deadline = now - timedelta(days=4), now - timedelta(days=2)
    client, writer, editor, admin = people["client"], people["writer"], people["editor"], people["admin"]
    with _as_of(placed_at):
        order = orders.order_place(
            client=client,
            topic=LATE_TOPIC,
            academic_level="undergraduate",
            deadline=deadline,
            pages=3,
            spacing="double",
            instructions="Trade, religion and disease along the routes; APA references.",
        )
        wallet_top_up(
            wallet=wallet_open(user=client), amount=order.total, reference=f"demo:{order.number}:funds", memo="Demo"
        )
        order = orders.order_pay_wallet(order=order, payer=client)
        order = orders.order_assign(order=order, writer=writer, actor=admin)
        order = orders.order_start(order=order, actor=writer)
    with _as_of(deadline + timedelta(hours=4, minutes=20)):
        order = orders.order_submit(order=order, actor=writer)
    with _as_of(deadline + timedelta(hours=6)):
        order = orders.order_deliver(order=order, actor=editor)
    with _as_of(deadline + timedelta(hours=20)):
        orders.order_approve(order=order, actor=client, rating=4)
    fine = Fine.objects.get(rule_key=f"late:{order.pk}")
    fine_appeal(
        fine=fine,
        writer=writer,
        explanation="The client sent a new outline a day before the deadline; the messages show it.",
    )
    fine_appeal_accept(fine=fine, actor=admin, note="Confirmed in the order's messages: the brief changed late.")


def _admin_fine(people: dict[str, Any], *, who: str, amount: str, reason: str, decide: str | None) -> None:
    """An admin's fine of ``who`` for ``reason``, appealed; rejected when ``decide`` is ``"reject"``."""
    from tenant_apps.writing.fines.models import Fine
    from tenant_apps.writing.fines.services import fine_appeal, fine_appeal_reject, fine_issue

    if Fine.objects.filter(reason=reason).exists():
        return
    writer, admin = people[who], people["admin"]
    fine = fine_issue(writer=writer, amount=amount, reason=reason, actor=admin)
    fine_appeal(fine=fine, writer=writer, explanation="I rewrote those passages; the overlap is a common phrase.")
    if decide == "reject":
        fine_appeal_reject(fine=fine, actor=admin, note="The passages match the article word for word.")


def seed(people: dict[str, Any]) -> None:
    """Seed the demo fines (see the module) with the site's ``people`` (keys: ``admin``,
    ``client``, ``writer``, ``writer2``, ``writer3``, ``editor``, ...). Idempotent; goes through the
    services (e-mails and notifications as on a live site)."""
    with transaction.atomic():
        _late_delivery(people)
        _admin_fine(people, who="writer2", amount="15.00", reason=PLAGIARISM, decide="reject")
        _admin_fine(people, who="writer3", amount="5.00", reason=MISSED_CHECK_IN, decide=None)
