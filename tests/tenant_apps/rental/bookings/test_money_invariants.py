"""Money invariants of a rental site under load (issue 18, point 3): 200 conflicting operations on
the same stays, payments and wallet at once, then the books and the bookings must agree.

Each hypothesis example sets up committed rows on the ``echo`` rental site (a host with a funded
wallet, six guests, three flats; stays already paid by card, stays waiting for Stripe's webhook,
stays that have ended), draws a plan of 200 operations and runs them 12 at a time (``swarm``):

* guests booking the same nights of a flat (the same slot, or overlapping ranges) through the API;
* Stripe's ``payment_intent.succeeded`` delivered to the signed webhook twice (the same event, and
  a second event for the same intent), while the guest pays again and cancels;
* guests and the admin cancelling (API) while the stay is completed (one booking, or the beat's
  ``bookings_complete_due``), which credits the host's share to their wallet;
* refunds of the same card payment by an admin, adding up to more than was paid;
* payouts from the host's wallet racing the earnings that fund them.

Then: no answer is a 5xx, every refusal is the API's one error shape with a code the conflict
explains; the wallet books hold (``tests.money.assert_books_hold``); the earnings equal the host
shares of the stays completed, once each; payouts equal the payouts that succeeded; no payment is
refunded beyond what was paid; exactly one booking per contested slot, no two stays overlap and
every refused range overlaps a stay that won; each stay's status agrees with its payment and
refunds. Stripe is faked in-process (``stripe_gateway``'s calls, as ``StripePaymentFactory``
does); the webhook is driven through the API with Stripe's signature scheme. Everything committed
is deleted after each example.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import DatabaseError, connection
from django.db.models import Sum
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django import Settings
from rest_framework.test import APIClient

from saas.db.tenant import current_schema, current_tenant_uuid, tenant_connection
from saas.errors import ApplicationError
from saas.money import to_minor_units
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.tokens import TenantAccessToken
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.models import Invoice, Payment, PaymentStatus, Refund, RefundStatus, StripeEvent
from tenant_apps.payments.services import payment_refund, payment_stripe_start, stripe_event_apply
from tenant_apps.rental.bookings import pricing
from tenant_apps.rental.bookings.models import OCCUPIES, Booking, BookingStatus
from tenant_apps.rental.bookings.services import booking_complete, booking_create, bookings_complete_due
from tenant_apps.rental.bookings.site import commission_percent
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind, Wallet
from tenant_apps.wallet.services import wallet_open, wallet_payout, wallet_top_up
from tests.api import error_code
from tests.concurrency import in_thread
from tests.conftest import host_of
from tests.factories import UserFactory, in_days, site_admin
from tests.money import Books, assert_books_hold, swarm
from tests.tenant_apps.payments.conftest import WEBHOOK, sign
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, booking_url, make_property

D = Decimal
ZERO = D("0.00")
PLAN_SIZE = 200
GUESTS = 6
PAYING, CONFIRMED, ENDED = 6, 5, 5  # stays awaiting the webhook, paid and ahead, paid and over
SLOTS = 4  # disjoint 2-night slots of the slot flat
SEED = D("50.00")  # the host's wallet before the run
STRIPE_LATENCY = 0.02  # seconds a faked Stripe call takes
#: How many operations of each kind a plan has (200 in all): the completion beat is rare, so that
#: cancellations race the completion of the same stay rather than always finding it completed.
KINDS: dict[str, int] = {
    "book_slot": 20,
    "book_range": 25,
    "webhook": 25,
    "pay": 15,
    "cancel": 30,
    "complete": 25,
    "complete_due": 3,
    "refund": 32,
    "payout": 25,
}
#: What each kind of operation may answer besides success: the refusals its conflicts explain.
REFUSALS: dict[str, set[str]] = {
    "book_slot": {"dates_unavailable"},
    "book_range": {"dates_unavailable"},
    "webhook": set(),
    "pay": {"invalid_status_transition"},
    "cancel": {"invalid_status_transition", "refund_exceeds_payment"},
    "complete": set(),
    "complete_due": set(),
    "refund": {"refund_exceeds_payment", "payment_not_refundable"},
    "payout": {"insufficient_funds"},
}


# --------------------------------------------------------------------------------------------
# Stripe, faked in-process
# --------------------------------------------------------------------------------------------


def fake_stripe(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Replace ``stripe_gateway``'s calls: intents and customers are made up, refunds succeed. Each
    call takes ``STRIPE_LATENCY`` seconds, as a call to Stripe does inside the caller's transaction
    (the window in which an unlocked read would be overtaken).

    The webhook's signature is still verified (``settings.STRIPE_WEBHOOK_SECRET``); nothing leaves
    the process (``STRIPE_API_BASE`` is a closed local port)."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    def intent(intent_id: str) -> stripe_gateway.Intent:
        return stripe_gateway.Intent(
            id=intent_id, client_secret=f"{intent_id}_secret", status="requires_payment_method", data={}
        )

    def intent_create(*, metadata: dict[str, str], **_: Any) -> stripe_gateway.Intent:
        time.sleep(STRIPE_LATENCY)
        return intent(f"pi_money_{metadata['tenant']}_{metadata['payment']}_{uuid.uuid4().hex[:8]}")

    def intent_retrieve(intent_id: str, **_: Any) -> stripe_gateway.Intent:
        time.sleep(STRIPE_LATENCY)
        return intent(intent_id)

    def refund_create(**_: Any) -> stripe_gateway.StripeRefund:
        time.sleep(STRIPE_LATENCY)
        return stripe_gateway.StripeRefund(id=f"re_money_{uuid.uuid4().hex}", status="succeeded")

    monkeypatch.setattr(stripe_gateway, "require_payments_enabled", lambda: None)
    monkeypatch.setattr(stripe_gateway, "payment_intent_create", intent_create)
    monkeypatch.setattr(stripe_gateway, "payment_intent_retrieve", intent_retrieve)
    monkeypatch.setattr(stripe_gateway, "customer_create", lambda **kw: f"cus_money_{kw['metadata']['user']}")
    monkeypatch.setattr(stripe_gateway, "refund_create", refund_create)


def succeeded_event(event_id: str, payment: Payment) -> dict[str, Any]:
    """Stripe's ``payment_intent.succeeded`` event for the card ``payment`` (its whole amount)."""
    invoice = payment.invoice
    minor = to_minor_units(payment.amount, invoice.currency)
    return {
        "id": event_id,
        "object": "event",
        "type": "payment_intent.succeeded",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": payment.stripe_payment_intent_id,
                "object": "payment_intent",
                "status": "succeeded",
                "amount": minor,
                "amount_received": minor,
                "currency": invoice.currency.lower(),
                "metadata": {
                    "tenant": current_schema(),
                    "tenant_uuid": current_tenant_uuid(),
                    "invoice": str(invoice.pk),
                    "payment": str(payment.pk),
                    "invoice_number": invoice.number,
                },
            }
        },
    }


# --------------------------------------------------------------------------------------------
# The site: committed rows, and their removal
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    """A booking set up before the run, with its guest and its card payment."""

    booking: int
    guest: int
    payment: int
    intent: str
    event: dict[str, Any]  # its succeeded event (the id is replaced per delivery)


@dataclass
class Site:
    """What the run works on (ids and tokens); ``marks`` are the tables' ids before setup."""

    tag: str
    marks: dict[str, int]
    admin: int = 0
    host: int = 0
    wallet: int = 0
    guests: list[int] = field(default_factory=list)
    tokens: dict[int, str] = field(default_factory=dict)
    slot_flat: int = 0
    range_flat: int = 0
    main_flat: int = 0
    paying: list[Stay] = field(default_factory=list)
    confirmed: list[Stay] = field(default_factory=list)
    ended: list[Stay] = field(default_factory=list)

    def stays(self, group: str) -> list[Stay]:
        """The stays of ``group`` (``paying``, ``confirmed``, ``ended``)."""
        found: list[Stay] = getattr(self, group)
        return found


#: Tables holding only what the site was provisioned with: never emptied by the cleanup.
_STATIC = {"django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


def _tables() -> list[str]:
    """The current schema's tables with an integer ``id`` (the ones the cleanup marks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = current_schema() AND c.column_name = 'id'
              AND c.data_type IN ('integer', 'bigint') AND t.table_type = 'BASE TABLE'
            """
        )
        return [row[0] for row in cursor.fetchall() if row[0] not in _STATIC]


def _marks() -> dict[str, int]:
    """Every marked table's highest id now, the invoice counter (``counter``) and the platform's
    outbox (``outbox``: the tasks the site's writes queued, the paid invoices' e-mails)."""
    marks = {}
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(MAX(value), 0) FROM payments_invoicecounter WHERE key = 'invoice'")
        marks["counter"] = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM public.outbox_outboxmessage")
        marks["outbox"] = int(cursor.fetchone()[0])
    return marks


def _cleanup(marks: dict[str, int]) -> None:
    """Delete every row committed after ``marks`` (raw SQL: the ledger is append-only through the
    ORM), in passes until the foreign keys let everything go; reset the invoice counter; remove
    the site's outbox messages (and their processed marks) queued since."""
    left = {table: mark for table, mark in marks.items() if table not in {"counter", "outbox"}}
    with connection.cursor() as cursor:
        cursor.execute("UPDATE payments_invoicecounter SET value = %s WHERE key = 'invoice'", [marks["counter"]])
        queued = "SELECT task_id::text FROM public.outbox_outboxmessage WHERE id > %s AND schema_name = %s"
        cursor.execute(
            f"DELETE FROM public.outbox_processedtask WHERE key IN ({queued})", [marks["outbox"], current_schema()]
        )
        cursor.execute(
            "DELETE FROM public.outbox_outboxmessage WHERE id > %s AND schema_name = %s",
            [marks["outbox"], current_schema()],
        )
        for _ in range(8):
            blocked = {}
            for table, mark in left.items():
                try:
                    cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [mark])
                except DatabaseError:  # a row still referenced: the next pass
                    blocked[table] = mark
            left = blocked
            if not left:
                return
    raise AssertionError(f"could not remove the rows committed in {sorted(left)}")


def _card_stay(site: Site, flat: Any, guest: Any, check_in: date, *, paid: bool) -> Stay:
    """A 3-night booking of ``flat`` by ``guest`` with a started card payment (``paid``: its
    webhook applied, so the booking is confirmed)."""
    booking = booking_create(
        guest=guest, property=flat, check_in=check_in, check_out=check_in + timedelta(days=3), guests=2
    )
    assert booking.invoice is not None
    payment = payment_stripe_start(invoice=booking.invoice, payer=guest).payment
    payment = Payment.objects.select_related("invoice").get(pk=payment.pk)
    event = succeeded_event(f"evt_{site.tag}_setup_{payment.pk}", payment)
    if paid:
        assert stripe_event_apply(event=event).outcome == "approved"
        assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    return Stay(booking.pk, guest.pk, payment.pk, str(payment.stripe_payment_intent_id), event)


def set_up(site: Site) -> None:
    """Commit the run's people, flats, stays and the host's seeded wallet (in the current schema)."""
    tag = site.tag
    admin = site_admin()
    host = UserFactory(email=f"money-host-{tag}@echo.test", roles=["host"])
    guests = [UserFactory(email=f"money-guest{i}-{tag}@echo.test", roles=["guest"]) for i in range(GUESTS)]
    site.admin, site.host, site.guests = admin.pk, host.pk, [g.pk for g in guests]
    site.tokens = {user.pk: str(TenantAccessToken.for_user(user)) for user in (admin, *guests)}
    slot_flat, range_flat = make_property(host), make_property(host)
    main_flat = make_property(host, cancellation_policy="flexible")
    site.slot_flat, site.range_flat, site.main_flat = slot_flat.pk, range_flat.pk, main_flat.pk
    for i in range(PAYING):
        site.paying.append(_card_stay(site, main_flat, guests[i % GUESTS], in_days(30 + 4 * i), paid=False))
    for i in range(CONFIRMED):
        site.confirmed.append(_card_stay(site, main_flat, guests[(i + 1) % GUESTS], in_days(70 + 4 * i), paid=True))
    for i in range(ENDED):
        stay = _card_stay(site, main_flat, guests[(i + 2) % GUESTS], in_days(120 + 4 * i), paid=True)
        # the stay is over: its dates moved to the past directly (no service books the past, and
        # waiting for the check-out day would take weeks)
        check_in = in_days(-60 + 4 * i)
        Booking.objects.filter(pk=stay.booking).update(check_in=check_in, check_out=check_in + timedelta(days=3))
        site.ended.append(stay)
    wallet = wallet_open(user=host)
    wallet_top_up(wallet=wallet, amount=SEED, reference=f"money:{tag}:seed", memo="Before the run")
    site.wallet = wallet.pk


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One planned operation: ``kind`` on stay ``target`` of ``group`` (or slot / range ``start``
    and ``nights``), by guest ``who`` (or, for a cancellation, the admin when ``by_admin``),
    for ``amount``; ``variant`` picks the webhook's event (two events per intent)."""

    kind: str
    group: str = ""
    target: int = 0
    who: int = 0
    start: int = 0
    nights: int = 0
    amount: Decimal = ZERO
    variant: int = 0
    by_admin: bool = False


_GROUP_SIZES = {"paying": PAYING, "confirmed": CONFIRMED, "ended": ENDED}
_cents = st.integers(min_value=1_000, max_value=25_000).map(lambda c: D(c) / 100)


def _in(group: str) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=_GROUP_SIZES[group] - 1)


def _operation(kind: str) -> st.SearchStrategy[Op]:
    """The parameters of one operation of ``kind``."""
    guest = st.integers(min_value=0, max_value=GUESTS - 1)
    if kind == "book_slot":
        return st.builds(Op, kind=st.just(kind), who=guest, start=st.integers(0, SLOTS - 1))
    if kind == "book_range":
        return st.builds(Op, kind=st.just(kind), who=guest, start=st.integers(0, 12), nights=st.integers(2, 4))
    if kind in {"webhook", "pay"}:
        return st.builds(
            Op, kind=st.just(kind), group=st.just("paying"), target=_in("paying"), variant=st.integers(0, 1)
        )
    if kind in {"cancel", "refund"}:
        group = st.sampled_from(
            ("paying", "confirmed", "ended") if kind == "cancel" else ("confirmed", "ended", "paying")
        )
        return group.flatmap(
            lambda g: st.builds(
                Op, kind=st.just(kind), group=st.just(g), target=_in(g), amount=_cents, by_admin=st.booleans()
            )
        )
    if kind == "complete":
        group = st.sampled_from(("ended", "confirmed"))
        return group.flatmap(lambda g: st.builds(Op, kind=st.just(kind), group=st.just(g), target=_in(g)))
    if kind == "payout":
        return st.builds(Op, kind=st.just(kind), amount=_cents)
    return st.just(Op(kind=kind))


@st.composite
def plans(draw: st.DrawFn) -> list[Op]:
    """``PLAN_SIZE`` operations, ``KINDS[kind]`` of each kind, in a drawn order."""
    kinds = [kind for kind, count in KINDS.items() for _ in range(count)]
    assert len(kinds) == PLAN_SIZE
    return [draw(_operation(kind)) for kind in draw(st.permutations(kinds))]


# --------------------------------------------------------------------------------------------
# Running an operation
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an operation got: ``ok`` or not, the error ``code`` of a refusal, the HTTP ``status``
    (0 for a service call), and the answer's body or the service's result in ``value``."""

    ok: bool
    code: str = ""
    status: int = 0
    value: Any = None


def _answer(response: Any) -> Outcome:
    """An API answer as an ``Outcome``: a 2xx, or a 4xx in the API's one error shape (``error_code``)."""
    status = int(response.status_code)
    if 200 <= status < 300:
        return Outcome(True, status=status, value=response.json())
    assert 400 <= status < 500, (status, response.content)  # never a 5xx
    return Outcome(False, code=error_code(response), status=status, value=response.json())


def _client(token: str | None) -> APIClient:
    client = APIClient(HTTP_HOST=host_of(tenant_connection().tenant))
    # judge answers by their status: the test client re-raises a view's exception through a
    # process-wide signal, which concurrent clients would catch for each other
    client.raise_request_exception = False
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _runner(op: Op, index: int, site: Site) -> Callable[[], Outcome]:
    """The callable ``swarm`` runs for ``op`` (the ``index``-th of the plan)."""

    def book(flat: int, start: int, nights: int) -> Outcome:
        body = {
            "property": flat,
            "check_in": in_days(start).isoformat(),
            "check_out": in_days(start + nights).isoformat(),
            "guests": 2,
        }
        return _answer(_client(site.tokens[site.guests[op.who]]).post(BOOKINGS, body, format="json"))

    def service(fn: Callable[[], Any]) -> Outcome:
        try:
            return Outcome(True, value=fn())
        except ApplicationError as refused:
            return Outcome(False, code=refused.code)

    def run() -> Outcome:
        stay = site.stays(op.group)[op.target] if op.group else None
        if op.kind == "book_slot":
            return book(site.slot_flat, 40 + 3 * op.start, 2)
        if op.kind == "book_range":
            return book(site.range_flat, 40 + op.start, op.nights)
        assert stay is not None or op.kind in {"complete_due", "payout"}
        if op.kind == "webhook":
            assert stay is not None
            event = {**stay.event, "id": f"evt_{site.tag}_{stay.payment}_{op.variant}"}
            payload = json.dumps(event)
            response = _client(None).generic(
                "POST",
                WEBHOOK,
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(payload, secret=django_settings.STRIPE_WEBHOOK_SECRET),
            )
            return _answer(response)
        if op.kind == "pay":
            assert stay is not None
            return _answer(_client(site.tokens[stay.guest]).post(booking_url(stay.booking, "pay/")))
        if op.kind == "cancel":
            assert stay is not None
            who = site.admin if op.by_admin else stay.guest
            body = {"reason": f"Plans changed {site.tag}"}
            return _answer(_client(site.tokens[who]).post(booking_url(stay.booking, "cancel/"), body, format="json"))
        if op.kind == "complete":
            assert stay is not None
            return service(lambda: booking_complete(booking_id=stay.booking))
        if op.kind == "complete_due":
            return service(bookings_complete_due)
        if op.kind == "refund":
            assert stay is not None
            payment = Payment.objects.get(pk=stay.payment)
            admin = User.objects.get(pk=site.admin)
            return service(
                lambda: payment_refund(payment=payment, amount=op.amount, reason=f"Goodwill {site.tag}", actor=admin)
            )
        if op.kind == "payout":
            wallet = Wallet.objects.get(pk=site.wallet)
            reference = f"money:{site.tag}:payout:{index}"
            return service(lambda: wallet_payout(wallet=wallet, amount=op.amount, reference=reference))
        raise AssertionError(f"unknown operation {op.kind}")

    return run


# --------------------------------------------------------------------------------------------
# What must hold afterwards
# --------------------------------------------------------------------------------------------


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def check_answers(plan: list[Op], outcomes: list[Any]) -> None:
    """No crash, no 5xx (``_answer`` raised for one), every refusal one its operation's conflicts
    explain, and every webhook delivery applied or recognised as a replay."""
    crashed = [(op.kind, out) for op, out in zip(plan, outcomes, strict=True) if not isinstance(out, Outcome)]
    assert crashed == [], crashed
    unexplained = [
        (op.kind, out.status, out.code)
        for op, out in zip(plan, outcomes, strict=True)
        if not out.ok and out.code not in REFUSALS[op.kind]
    ]
    assert unexplained == [], unexplained
    webhooks = [out.value for op, out in zip(plan, outcomes, strict=True) if op.kind == "webhook"]
    odd = [body for body in webhooks if body["status"] not in {"processed", "duplicate"}]
    assert odd == [], odd


def check_bookings_race(site: Site, plan: list[Op], outcomes: list[Any]) -> None:
    """Exactly one booking per contested slot; on the range flat, the winners never overlap and
    every refused range overlaps a winner (refused only because its nights were taken)."""
    slot_wins: Counter[int] = Counter()
    asked: set[int] = set()
    winners: list[tuple[date, date]] = []
    losers: list[tuple[date, date]] = []
    for op, out in zip(plan, outcomes, strict=True):
        if op.kind == "book_slot":
            asked.add(op.start)
            slot_wins[op.start] += int(out.ok)
        elif op.kind == "book_range":
            (winners if out.ok else losers).append((in_days(40 + op.start), in_days(40 + op.start + op.nights)))
    assert {slot: slot_wins[slot] for slot in asked} == dict.fromkeys(asked, 1), slot_wins
    assert Booking.objects.filter(property_id=site.slot_flat).count() == len(asked)
    assert Booking.objects.filter(property_id=site.range_flat).count() == len(winners)
    clashes = [(a, b) for i, a in enumerate(winners) for b in winners[i + 1 :] if _overlaps(a, b)]
    assert clashes == [], clashes
    unexplained = [loser for loser in losers if not any(_overlaps(loser, won) for won in winners)]
    assert unexplained == [], unexplained


def check_no_overlap(site: Site) -> None:
    """No two stays holding nights of one flat overlap (the database's constraint, seen from the rows)."""
    for flat in (site.slot_flat, site.range_flat, site.main_flat):
        held = list(Booking.objects.filter(OCCUPIES, property_id=flat).values_list("check_in", "check_out"))
        clashes = [(a, b) for i, a in enumerate(held) for b in held[i + 1 :] if _overlaps(a, b)]
        assert clashes == [], (flat, clashes)


def check_stays(site: Site, plan: list[Op], outcomes: list[Any]) -> Decimal:
    """Each set-up stay's status agrees with its payment and refunds; returns the host shares of
    the stays completed (what their earnings must add up to)."""
    tagged = [(op, out) for op, out in zip(plan, outcomes, strict=True) if op.group]
    completions: Counter[int] = Counter()
    for op, out in zip(plan, outcomes, strict=True):
        if op.kind == "complete" and out.value is True:
            completions[site.stays(op.group)[op.target].booking] += 1
        elif op.kind == "complete_due":
            completions.update(out.value)
    shares = ZERO
    for group in ("paying", "confirmed", "ended"):
        for index, stay in enumerate(site.stays(group)):
            mine = [(op, out) for op, out in tagged if op.group == group and op.target == index]
            booking = Booking.objects.select_related("property").get(pk=stay.booking)
            payment = Payment.objects.get(pk=stay.payment)
            invoice = Invoice.objects.get(pk=payment.invoice_id)
            refunds = Refund.objects.filter(payment_id=payment.pk).exclude(status=RefundStatus.FAILED)
            refunded = refunds.aggregate(total=Sum("amount"))["total"] or ZERO
            by_cancel = refunds.filter(reason=f"Plans changed {site.tag}").aggregate(total=Sum("amount"))["total"]
            goodwill = [out for op, out in mine if op.kind == "refund" and out.ok]
            what = (group, index, booking.status, payment.status, refunded)
            # one card payment per stay, never refunded beyond it; the invoice agrees with it
            assert Payment.objects.filter(invoice_id=invoice.pk).count() == 1, what
            assert refunded <= payment.amount, what
            assert refunded == sum((out.value.amount for out in goodwill), ZERO) + (by_cancel or ZERO), what
            approved = payment.status == PaymentStatus.APPROVED
            assert invoice.amount_paid == (payment.amount if approved else ZERO), what
            # a refund refused for exceeding the payment did exceed what was still refundable
            too_much = [op.amount for op, out in mine if op.kind == "refund" and out.code == "refund_exceeds_payment"]
            assert all(amount > payment.amount - refunded for amount in too_much), (what, too_much)
            # a confirmed, completed or refunded-on-cancel stay was paid; a pending one was not
            if booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
                assert approved and invoice.amount_paid == booking.total, what
            if booking.status == BookingStatus.PENDING:
                assert payment.status == PaymentStatus.PENDING and refunded == ZERO, what
            if booking.status == BookingStatus.CANCELLED:
                # what the guest got back in all: the cancellation's refund plus earlier goodwill
                # (a goodwill refund made after the cancellation adds to what was refunded)
                assert (by_cancel or ZERO) <= booking.refund_amount <= refunded, what
                assert approved or (booking.refund_amount == ZERO and invoice.cancelled_at is not None), what
            else:
                assert by_cancel is None, what
            cancelled = [out for op, out in mine if op.kind == "cancel" and out.ok]
            assert len(cancelled) == int(booking.status == BookingStatus.CANCELLED), what
            # completed once, with the host's share at the site's commission; else not paid out
            earnings = LedgerEntry.objects.filter(
                kind=LedgerEntryKind.EARNING, reference=f"booking:{stay.booking}:payout"
            )
            if booking.status == BookingStatus.COMPLETED:
                assert group == "ended" and completions[stay.booking] == 1, (what, completions[stay.booking])
                assert booking.refund_amount <= refunded, what  # refunded before completion: not shared
                _, payout = pricing.host_share(booking=booking, commission_percent=commission_percent())
                assert booking.host_payout == payout, what
                assert list(earnings.values_list("balance_delta", flat=True)) == [payout], what
                shares += payout
            else:
                assert completions[stay.booking] == 0 and not earnings.exists(), what
            if group == "paying":
                check_paying(site, stay, booking, payment, mine)
            if group == "ended" and booking.status != BookingStatus.CANCELLED:
                # an ended stay not cancelled was completed: the plan always runs the beat
                assert booking.status == BookingStatus.COMPLETED, what
    return shares


def check_paying(site: Site, stay: Stay, booking: Booking, payment: Payment, mine: list[tuple[Op, Outcome]]) -> None:
    """A stay paid through the webhook: each event applied once, the payment approved at most
    once, the booking confirmed only by it, and paying again resumes the same payment."""
    bodies = [out.value for op, out in mine if op.kind == "webhook"]
    delivered = {f"evt_{site.tag}_{stay.payment}_{op.variant}" for op, _ in mine if op.kind == "webhook"}
    processed = [body for body in bodies if body["status"] == "processed"]
    assert len(processed) == len(delivered), bodies
    assert StripeEvent.objects.filter(event_id__in=delivered).count() == len(delivered)
    outcomes = Counter(body["outcome"] for body in processed)
    assert set(outcomes) <= {"approved", "already_approved", "refund_required"}, outcomes
    assert outcomes["approved"] == int(payment.status == PaymentStatus.APPROVED), (outcomes, payment.status)
    if outcomes["refund_required"]:
        # the money arrived for a stay cancelled before it: flagged, never confirming it
        assert booking.status == BookingStatus.CANCELLED and payment.status == PaymentStatus.REJECTED
    if not delivered:
        assert payment.status != PaymentStatus.APPROVED
        assert booking.status in (BookingStatus.PENDING, BookingStatus.CANCELLED)
    resumed = [out.value for op, out in mine if op.kind == "pay" and out.ok]
    assert all((body["payment"], body["payment_intent_id"]) == (stay.payment, stay.intent) for body in resumed)


def check_wallet(site: Site, plan: list[Op], outcomes: list[Any], before: Books, after: Books, shares: Decimal) -> None:
    """The host's wallet moved by the earnings and the payouts that succeeded, nothing else."""
    paid_out = sum((op.amount for op, out in zip(plan, outcomes, strict=True) if op.kind == "payout" and out.ok), ZERO)
    assert after.flow_since(before, LedgerEntryKind.EARNING) == shares
    assert after.flow_since(before, LedgerEntryKind.PAYOUT) == -paid_out
    assert after.users_total - before.users_total == shares - paid_out
    wallet = Wallet.objects.get(pk=site.wallet)
    assert wallet.balance == SEED + shares - paid_out and wallet.held_balance == ZERO
    payouts = LedgerEntry.objects.filter(wallet_id=site.wallet, kind=LedgerEntryKind.PAYOUT).count()
    assert payouts == sum(1 for op, out in zip(plan, outcomes, strict=True) if op.kind == "payout" and out.ok)


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@pytest.fixture
def stripe_faked(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Stripe's calls faked for the test (``fake_stripe``)."""
    fake_stripe(monkeypatch, settings)


@hypothesis_settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failing swarm is not replayed to shrink it
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(plan=plans())
def test_200_conflicting_booking_payment_refund_and_payout_operations_keep_the_books(
    echo: Tenant, stripe_faked: None, plan: list[Op]
) -> None:
    def inside(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(echo):
                return fn()

        return run

    site = Site(tag=uuid.uuid4().hex[:8], marks=in_thread(inside(_marks)))
    try:
        # given: the committed site, and its books before the run
        in_thread(inside(lambda: set_up(site)))
        before: Books = in_thread(inside(assert_books_hold))
        # when: 200 conflicting operations, 12 at a time
        outcomes = swarm([_runner(op, i, site) for i, op in enumerate(plan)], tenant=echo)

        # then
        def check() -> None:
            check_answers(plan, outcomes)
            after = assert_books_hold()  # ledger = wallets, nothing negative, money conserved
            check_bookings_race(site, plan, outcomes)
            check_no_overlap(site)
            shares = check_stays(site, plan, outcomes)
            check_wallet(site, plan, outcomes, before, after, shares)

        in_thread(inside(check))
    finally:
        in_thread(inside(lambda: _cleanup(site.marks)))
        in_thread(inside(assert_books_hold))
        tenant_connection().set_schema_to_public()
