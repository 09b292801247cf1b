"""Demo data of a ``writing`` site for ``manage.py setup_demo`` (``make run``).

* **Options and pricing**: the defaults every writing site starts with (the kind's template).
* **People**: the per-role users of ``setup_demo`` (``client@``, ``writer@``, ``editor@``,
  ``support@``, ``admin@``) plus a second client (``client2@``) and two more writers of higher
  levels (``writer2@`` advanced, ``writer3@`` expert; ``writer@`` has the default level).
* **Orders in every status**, placed and walked through the services as on a live site:
  ``unpaid``, ``available`` (two: one of them late), ``assigned``, ``in_progress``, ``in_review``,
  ``delivered``, ``revision_requested``, ``disputed`` (partly refunded to the client's wallet),
  ``completed`` (two, rated; the writers credited by their level) and ``cancelled``. Each paid
  order is paid from the client's wallet, topped up first, so the wallets have a history: top-ups,
  payments, writers' earnings, a refund.
* **Files and messages**: every order that reached a writer carries the client's brief
  (attachment); the writer's draft and final follow the work (a final once submitted); threads have
  a question and its answer, and one client message shared a phone number, masked (flagged for
  support).
* **Payouts**: ``writer2@`` was paid 20.00 of their earning (approved, marked paid with a bank
  reference) and has asked for 10.00 more (waiting for an admin).

**The growth features** (``PART_TWO``, each app's ``demo.seed``, run after the orders): a late
order's fine forgiven on appeal and a plagiarism fine whose appeal was rejected, loyalty tiers and
points, discount codes and a campaign (an order placed with a code and points), class bundles (one
partly drawn) and an express class, special orders in every status (one paid in two installments,
one overdue), the blog and service pages, reviews in every moderation status, mass e-mail
campaigns (one sent, with an opted-out client skipped; one scheduled; a draft), and (seeded before
the orders, ``BEFORE_ORDERS``) ``client2@`` referred by ``client@``, rewarded when client2's first
order completed; each app's ``demo.py`` says what.

Orders already past their deadline cannot be placed (a deadline must lie ahead), so the late one
is placed as of four days ago, due two days ago. Every step is idempotent: the orders are made once,
when the site has none, and a second ``make run`` keeps them. The e-mails the seeding would send go
to a local outbox: demo addresses are not mailboxes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from saas.db.tenant import current_schema

#: ``(key, client, topic, level, pages, days to the deadline, target status, writer)``; the orders
#: are placed in this order and walked to their status.
ORDERS: tuple[tuple[str, str, str, str, int, int, str, str], ...] = (
    ("unpaid", "client", "The economics of rent control", "undergraduate", 3, 10, "unpaid", ""),
    ("available", "client2", "Attachment theory in early childhood", "masters", 5, 12, "available", ""),
    ("late", "client", "A history of the printing press", "high-school", 2, -2, "available", ""),
    ("assigned", "client2", "Supply chains after the pandemic", "undergraduate", 4, 9, "assigned", "writer2"),
    ("in_progress", "client", "Sartre and the idea of bad faith", "masters", 6, 7, "in_progress", "writer"),
    ("in_review", "client", "Nursing ethics at the end of life", "undergraduate", 3, 5, "in_review", "writer"),
    ("delivered", "client", "The causes of the 2008 crisis", "undergraduate", 4, 6, "delivered", "writer"),
    ("revision", "client2", "Machine learning in radiology", "doctoral", 8, 11, "revision_requested", "writer3"),
    ("disputed", "client2", "Inflation targeting in emerging markets", "masters", 4, 8, "disputed", "writer3"),
    ("completed", "client", "Shakespeare's Sonnet 18", "high-school", 2, 8, "completed", "writer"),
    ("completed2", "client2", "Keynes and the multiplier", "masters", 5, 9, "completed", "writer2"),
    ("cancelled", "client2", "A draft I no longer need", "undergraduate", 1, 9, "cancelled", ""),
)


#: The apps of the marketplace's growth features whose ``demo.seed(people)`` runs after the orders,
#: in this order (fines first: its late order is placed before any campaign runs; loyalty before
#: discounts: an order of the demo uses a code and points).
PART_TWO = ("fines", "loyalty", "discounts", "bundles", "special_orders", "cms", "reviews", "campaigns")
#: Those whose seeding must come before the orders: ``client2@`` claims ``client@``'s referral code,
#: so client2's first completed order pays both sides their reward.
BEFORE_ORDERS = ("referrals",)


def _email(local: str) -> str:
    return f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}"


def _user(local: str, *, password: str, role: str) -> Any:
    """The demo user ``<local>@<site>``, created with ``role`` when missing."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create

    return User.objects.filter(email=_email(local)).first() or user_create(
        email=_email(local), password=password, roles=[role], full_name=f"Demo {local.title()}"
    )


@contextmanager
def _as_of(moment: datetime) -> Iterator[None]:
    """Run the services as if it were ``moment``: how the demo places an order that is now late."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _pay(order: Any) -> Any:
    """Top up the client's wallet with ``order``'s total and pay it from there."""
    from tenant_apps.wallet.services import wallet_open, wallet_top_up
    from tenant_apps.writing.orders.services import order_pay_wallet

    wallet_top_up(
        wallet=wallet_open(user=order.client),
        amount=order.total,
        reference=f"demo:{order.number}:funds",
        memo="Demo funds",
    )
    return order_pay_wallet(order=order, payer=order.client)


#: The ratings the clients give their completed orders, by key.
RATINGS = {"completed": 5, "completed2": 4}

#: A minimal PDF: the demo's final papers (the files policy sniffs its type).
FINAL_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _file(order: Any, actor: Any, category: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenant_apps.writing.files.services import order_file_add

    if category == "final":
        upload = SimpleUploadedFile(f"{order.number}-final.pdf", FINAL_PDF, "application/pdf")
    else:
        text = f"{order.topic}\n\n{'Brief' if category == 'attachment' else 'Draft'}: {order.instructions}\n"
        upload = SimpleUploadedFile(f"{order.number}-{category}.txt", text.encode(), "text/plain")
    order_file_add(actor=actor, order=order, upload=upload, category=category)


def _say(order: Any, actor: Any, body: str) -> None:
    from tenant_apps.writing.messages.services import order_message_post

    order_message_post(actor=actor, order=order, body=body)


def _walk(order: Any, *, status: str, writer: Any, editor: Any, admin: Any, rating: int | None = None) -> Any:
    """Walk the unpaid ``order`` to ``status`` through the services, as its people would, with the
    files and messages of each step."""
    from tenant_apps.writing.orders import services
    from tenant_apps.writing.orders.models import OrderStatus as S

    path = (S.UNPAID, S.AVAILABLE, S.ASSIGNED, S.IN_PROGRESS, S.IN_REVIEW, S.DELIVERED)
    if status == S.CANCELLED:
        return services.order_cancel(order=order, actor=order.client, reason="No longer needed.")
    target = path.index(status) if status in path else path.index(S.DELIVERED)
    if target >= 2:
        _file(order, order.client, "attachment")
    if target >= 1:
        order = _pay(order)
    if target >= 2:
        order = services.order_assign(order=order, writer=writer, actor=admin)
        _say(order, order.client, "Hello! The brief is attached; my professor prefers recent sources.")
    if target >= 3:
        order = services.order_start(order=order, actor=writer)
        _say(order, writer, "Thanks, I have started. Is a 2019 source recent enough?")
        _say(order, order.client, "Yes. Call me on +1 202 555 0143 if anything is unclear.")
        _file(order, writer, "draft")
    if target >= 4:
        _file(order, writer, "final")
        order = services.order_submit(order=order, actor=writer)
    if target >= 5:
        _say(order, editor, "Reviewed: references checked, formatting is APA 7.")
        order = services.order_deliver(order=order, actor=editor)
    if status == S.REVISION_REQUESTED:
        order = services.order_request_revision(
            order=order, actor=order.client, instructions="Please add two recent sources and expand section 3."
        )
    elif status == S.COMPLETED:
        order = services.order_approve(order=order, actor=order.client, rating=rating)
    elif status == S.DISPUTED:
        order = services.order_dispute(
            order=order, actor=order.client, reason="Section 2 is copied from a blog post, and two sources are missing."
        )
        services.order_refund(
            order=order, actor=admin, amount=Decimal("20.00"), reason="Partial refund while we review."
        )
    return order


def _levels(people: dict[str, Any]) -> None:
    """``writer2@`` advanced, ``writer3@`` expert (the default levels of a new site)."""
    from tenant_apps.writing.writers.models import WriterLevel
    from tenant_apps.writing.writers.services import writer_set_level

    for local, slug in (("writer2", "advanced"), ("writer3", "expert")):
        level = WriterLevel.objects.filter(slug=slug).first()
        if level is not None:
            writer_set_level(actor=people["admin"], writer=people[local], level=level)


def _orders(people: dict[str, Any]) -> dict[str, Any]:
    """The demo's orders by key (see ``ORDERS``); made once, when the site has none."""
    from tenant_apps.writing.orders.models import Order
    from tenant_apps.writing.orders.services import order_place

    if Order.objects.exists():
        return {}
    now = timezone.now()
    made: dict[str, Any] = {}
    for key, client, topic, level, pages, days, status, writer in ORDERS:
        fields = {
            "client": people[client],
            "topic": topic,
            "academic_level": level,
            "pages": pages,
            "spacing": "double",
            "paper_type": "essay",
            "subject": "economics" if "econom" in topic.lower() else None,
            "formatting_style": "apa",
            "language": "english-us",
            "sources": 3,
            "instructions": f"{topic}: a clear thesis, {pages * 275} words or so, APA references.",
        }
        if days < 0:  # placed four days ago, due ``-days`` days ago: late now
            placed_at = now - timedelta(days=4)
            with _as_of(placed_at):
                order = order_place(deadline=now + timedelta(days=days), **fields)
                order = _walk(order, status=status, writer=None, editor=None, admin=people["admin"])
        else:
            order = order_place(deadline=now + timedelta(days=days), **fields)
            order = _walk(
                order,
                status=status,
                writer=people.get(writer),
                editor=people["editor"],
                admin=people["admin"],
                rating=RATINGS.get(key),
            )
        made[key] = order
    return {key: Order.objects.get(pk=order.pk) for key, order in made.items()}


def _payouts(people: dict[str, Any]) -> None:
    """A paid payout and a waiting one, by ``writer2@`` (made once, when the site has none)."""
    from tenant_apps.writing.wallets.models import PayoutRequest
    from tenant_apps.writing.wallets.services import payout_approve, payout_mark_paid, payout_request

    if PayoutRequest.objects.exists():
        return
    writer, admin = people["writer2"], people["admin"]
    paid = payout_request(writer=writer, amount=Decimal("20.00"))
    payout_approve(payout=paid, actor=admin, note="Monthly payout.")
    payout_mark_paid(payout=paid, actor=admin, reference="DEMO-BANK-0001")
    payout_request(writer=writer, amount=Decimal("10.00"))


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create (or find) the writing demo data in the current schema; see the module docstring.

    ``password``: of the demo users it creates (``client2@``, ``writer2@``, ``writer3@``); the
    per-role users come from ``setup_demo``. Returns what exists afterwards, for printing.
    """
    from tenant_apps.accounts.models import User
    from tenant_apps.kinds import ADMIN
    from tenant_apps.wallet.models import Wallet
    from tenant_apps.writing.kind import CLIENT, EDITOR, SUPPORT, WRITER
    from tenant_apps.writing.orders.models import Order

    admin = User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("The writing demo needs an active admin (the site owner).")
    people = {
        "admin": admin,
        "client": _user("client", password=password, role=CLIENT),
        "client2": _user("client2", password=password, role=CLIENT),
        "writer": _user("writer", password=password, role=WRITER),
        "writer2": _user("writer2", password=password, role=WRITER),
        "writer3": _user("writer3", password=password, role=WRITER),
        "editor": _user("editor", password=password, role=EDITOR),
        "support": _user("support", password=password, role=SUPPORT),
    }
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        _levels(people)
        for module in BEFORE_ORDERS:
            import_module(f"tenant_apps.writing.{module}.demo").seed(people)
        _orders(people)
        _payouts(people)
        for module in PART_TWO:
            import_module(f"tenant_apps.writing.{module}.demo").seed(people)
    wallets = Wallet.objects.filter(user__email__endswith=f"@{current_schema()}.{settings.PLATFORM_DOMAIN}")
    return {
        "orders": [f"{o.number} {o.status:<18} {o.topic}" for o in Order.objects.order_by("created_at", "id")],
        "wallets": {
            w.user.email: f"{w.balance:.2f} {w.currency}" for w in wallets.select_related("user").order_by("user_id")
        },
        "total_paid": str(sum((o.total for o in Order.objects.exclude(paid_at=None)), Decimal("0"))),
    }
