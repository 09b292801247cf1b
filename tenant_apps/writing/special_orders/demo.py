"""Demo special orders of a writing site, seeded through the services (``seed``; the writing demo
calls it with its people).

One special order in each status, by the two demo clients: ``requested``, ``quoted`` (three
installments), ``accepted`` (billed, nothing paid yet), ``in_progress`` (first installment paid,
``writer2@`` assigned), ``completed`` (paid in two installments from the wallet), ``declined`` and
``cancelled``; and one accepted ten days ago whose first installment fell due a week ago and is
unpaid: the reminder run (``installments_remind``) flags it overdue and tells the client and the
admins. The wallet payments are funded by top-ups first. Due dates cannot be set in the past, so
that one is requested, quoted and accepted with the site's clock moved back ten days. Made once,
when the site has no special order: a second call adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from django.utils import timezone

#: ``(client, title, total, installment amounts, target status, writer)``, made in this order.
SPECIAL_ORDERS: tuple[tuple[str, str, str, tuple[str, ...], str, str], ...] = (
    ("client", "A dissertation proposal on urban heat islands", "", (), "requested", ""),
    ("client2", "A literature review on microfinance, 30 pages", "120.00", ("40.00", "40.00", "40.00"), "quoted", ""),
    ("client", "A business plan for a bakery", "100.00", ("50.00", "50.00"), "accepted", ""),
    ("client2", "A capstone project on hospital logistics", "150.00", ("75.00", "75.00"), "in_progress", "writer2"),
    ("client", "A master's thesis on coastal erosion", "200.00", ("100.00", "100.00"), "completed", "writer"),
    ("client2", "A grant application in biology", "90.00", ("90.00",), "declined", ""),
    ("client", "A speech I no longer need", "", (), "cancelled", ""),
)
#: The one with an overdue installment: accepted ``OVERDUE_DAYS_AGO`` days ago, its first
#: installment due three days after that.
OVERDUE = ("client2", "A book chapter on medieval trade", "160.00", ("80.00", "80.00"))
OVERDUE_DAYS_AGO = 10


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _plan(amounts: tuple[str, ...], *, first_in_days: int = 7) -> list[Any]:
    today = timezone.localdate()
    return [
        {"amount": Decimal(amount), "due_date": today + timedelta(days=first_in_days + 30 * index)}
        for index, amount in enumerate(amounts)
    ]


def _pay(special_order: Any, sequence: int) -> None:
    from tenant_apps.wallet.services import wallet_open, wallet_top_up
    from tenant_apps.writing.special_orders.models import Installment
    from tenant_apps.writing.special_orders.services import installment_pay_wallet

    installment = Installment.objects.get(special_order=special_order, sequence=sequence)
    wallet_top_up(wallet=wallet_open(user=special_order.client), amount=installment.amount, memo="Demo top-up")
    installment_pay_wallet(special_order=special_order, sequence=sequence, payer=special_order.client)


def _walk(people: dict[str, Any], row: tuple[str, str, str, tuple[str, ...], str, str]) -> None:
    from tenant_apps.writing.special_orders import services

    client_key, title, total, amounts, status, writer_key = row
    client, admin = people[client_key], people["admin"]
    special = services.special_order_request(
        client=client, title=title, description=f"{title}: details to follow with the admin."
    )
    if status == "cancelled":
        services.special_order_cancel(special_order=special, actor=client, reason="Plans changed.")
        return
    if status == "requested":
        return
    special = services.special_order_quote(
        special_order=special,
        actor=admin,
        total=Decimal(total),
        installments=_plan(amounts),
        admin_note="Installments as agreed on the phone.",
    )
    if status == "declined":
        services.special_order_decline(special_order=special, actor=client, reason="Over my budget.")
        return
    if status == "quoted":
        return
    special = services.special_order_accept(special_order=special, actor=client)
    if status == "accepted":
        return
    _pay(special, 1)
    special = services.special_order_start(special_order=special, actor=admin, writer=people.get(writer_key))
    if status == "completed":
        for sequence in range(2, len(amounts) + 1):
            _pay(special, sequence)
        services.special_order_complete(special_order=special, actor=admin)


def _overdue(people: dict[str, Any]) -> None:
    from tenant_apps.writing.special_orders import services

    client_key, title, total, amounts = OVERDUE
    client, admin = people[client_key], people["admin"]
    with _as_of(timezone.now() - timedelta(days=OVERDUE_DAYS_AGO)):
        special = services.special_order_request(client=client, title=title)
        special = services.special_order_quote(
            special_order=special, actor=admin, total=Decimal(total), installments=_plan(amounts, first_in_days=3)
        )
        services.special_order_accept(special_order=special, actor=client)


def seed(people: dict[str, Any]) -> None:
    """Seed the demo special orders (see the module) in the current writing schema, through the
    services, with ``people`` (keys: admin, client, client2, writer, writer2, writer3, editor,
    support). Idempotent: nothing is made when the site has a special order."""
    from tenant_apps.writing.special_orders.models import SpecialOrder
    from tenant_apps.writing.special_orders.services import installments_remind

    if SpecialOrder.objects.exists():
        return
    for row in SPECIAL_ORDERS:
        _walk(people, row)
    _overdue(people)
    installments_remind()
