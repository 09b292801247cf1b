"""Money invariants of a writing site under load (issue 18, point 3): 200 conflicting requests at
once, then the books and the site's own records still agree.

Hypothesis draws a plan of 200 API requests of a fixed mix (who acts, on what, for how much, in
which order) against committed rows of the ``golf`` session site; ``tests.money.swarm`` sends
them 12 at a time, each on its own connection. The conflicts:

* clients paying the same unpaid order from their wallet several times at once (one client
  rich enough for all their orders, one for only two of them);
* on delivered orders: the client approving (the writer's earning) racing the client disputing,
  the admins refunding it (while disputed or after a cancelled resolution) and resolving it;
* writers asking for payouts beyond their balance while admins fine them (fines are deducted
  from the balance at once, as far as it goes);
* two admins approving, marking paid and rejecting the same payout requests.

After each plan: every answer is a 2xx or a 4xx in the API's one error shape (never a 5xx); the
books hold (``assert_books_hold``: ledger = wallets, nothing negative, conservation); and the
money agrees with the records: each order paid at most once (one payment, its total) and the
expected number of them; each delivered order approved or disputed exactly once; its refunds
plus the writer's earning never above what was paid (an approved order is never refunded);
the payouts in the ledger are the paid payout requests, the writers' held money the open ones;
every fine deducted is in the ledger and never more than the fine. Everything committed is
deleted afterwards (the ``committed`` fixture), and then the site's books are checked again.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections
from django.db.models import Sum
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.concurrency import in_thread
from tests.conftest import host_of
from tests.money import Books, assert_books_hold, swarm

D = Decimal
ZERO = D("0.00")
#: An order of the factory's default (2 double-spaced undergraduate pages, 14 days) costs this.
TOTAL = D("24.00")
RICH_FUNDS, POOR_FUNDS = D("200.00"), D("60.00")  # the poor payer can pay two orders, not three
WRITER_FUNDS, PREMADE_PAYOUT = D("120.00"), D("20.00")
UNPAID_PER_PAYER, DELIVERED, WRITERS, PREMADE = 4, 8, 3, 6
#: Pre-made payout requests the admins may reject (the others they only approve and mark paid).
REJECTABLE = range(3, PREMADE)

#: How many requests of each kind a plan makes (200 in all).
MIX = {
    "pay": 36,
    "approve": 20,
    "dispute": 20,
    "refund": 24,
    "resolve": 10,
    "payout_request": 30,
    "fine": 20,
    "payout_approve": 16,
    "payout_mark_paid": 14,
    "payout_reject": 10,
}
#: The refusals each kind may meet under contention; anything else fails the test.
REFUSALS: dict[str, set[str]] = {
    "pay": {"invalid_status_transition", "insufficient_funds"},
    "approve": {"invalid_status_transition", "permission_denied"},  # 403: disputed -> completed is the admins'
    "dispute": {"invalid_status_transition"},
    "refund": {"payment_not_refundable", "refund_exceeds_payment"},
    "resolve": {"invalid_status_transition"},
    "payout_request": {"insufficient_funds"},
    "fine": set(),
    "payout_approve": {"invalid_status_transition"},
    "payout_mark_paid": {"invalid_status_transition"},
    "payout_reject": {"invalid_status_transition"},
}
_examples = itertools.count()


@dataclass(frozen=True)
class Op:
    """One planned request: ``kind`` on the ``target``-th object of its kind (taken modulo how many
    there are), by the ``actor``-th of the people who may make it, for ``amount``."""

    kind: str
    target: int
    actor: int
    amount: Decimal


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts from ``low`` to ``high`` cents, 2 places."""
    return st.integers(low, high).map(lambda c: (D(c) / 100).quantize(D("0.01")))


#: The amount of each kind: refunds up to an order's total, payouts from the minimum (10.00) to
#: half a writer's funds, fines up to 30.00.
AMOUNTS = {
    "refund": cents(100, 2400),
    "payout_request": cents(1000, 6000),
    "fine": cents(100, 3000),
}


@st.composite
def plans(draw: st.DrawFn) -> list[Op]:
    """The ``MIX`` of requests with drawn targets, actors and amounts, in a drawn order."""
    ops = [
        Op(
            kind=kind,
            target=draw(st.integers(0, 11)),
            actor=draw(st.integers(0, 1)),
            amount=draw(AMOUNTS.get(kind, st.just(ZERO))),
        )
        for kind, count in MIX.items()
        for _ in range(count)
    ]
    return draw(st.permutations(ops))


@dataclass
class Site:
    """What one example committed: people (their API tokens) and the objects the plan acts on."""

    tag: str
    tokens: dict[str, str]
    admins: list[str]
    writers: list[str]
    writer_ids: list[int]
    unpaid: list[tuple[int, str]]  # (order, its client's name)
    delivered: list[tuple[int, str]]
    payouts: list[int]


def set_up(tag: str) -> Site:
    """Commit (in ``golf``) two payers with ``UNPAID_PER_PAYER`` unpaid orders each (``pia``
    funded for all of them, ``pat`` for two), ``DELIVERED`` delivered orders of two clients written
    by ``WRITERS`` writers (each credited ``WRITER_FUNDS`` and asking for two payouts of
    ``PREMADE_PAYOUT``), an editor and a second admin."""
    from django.conf import settings as django_settings

    from tenant_apps.accounts.tokens import TenantAccessToken
    from tenant_apps.wallet.services import wallet_earning, wallet_open, wallet_top_up
    from tenant_apps.writing.wallets.services import payout_request
    from tests.factories import OrderFactory, UserFactory
    from tests.factories.base import site_admin

    def person(name: str, role: str) -> Any:
        return UserFactory(email=f"{tag}-{name}@golf.test", full_name=name.title(), roles=[role])

    people: dict[str, Any] = {"admin": site_admin(), "ada": person("ada", "admin"), "eddie": person("eddie", "editor")}
    for name in ("pia", "pat", "dee", "dan"):
        people[name] = person(name, "client")
    writers = [f"w{i}" for i in range(WRITERS)]
    for name in writers:
        people[name] = person(name, "writer")
        wallet_earning(
            wallet=wallet_open(user=people[name]),
            amount=WRITER_FUNDS,
            currency=django_settings.DEFAULT_CURRENCY,
            memo="test funds",
        )
    for name, funds in (("pia", RICH_FUNDS), ("pat", POOR_FUNDS)):
        wallet_top_up(wallet=wallet_open(user=people[name]), amount=funds, memo="test funds")
    unpaid = [(OrderFactory(client=people[name]).pk, name) for _ in range(UNPAID_PER_PAYER) for name in ("pia", "pat")]
    delivered = []
    for i in range(DELIVERED):
        client = ("dee", "dan")[i % 2]
        order = OrderFactory(
            client=people[client], writer=people[writers[i % WRITERS]], editor=people["eddie"], delivered=True
        )
        delivered.append((order.pk, client))
    payouts = [payout_request(writer=people[writers[i % WRITERS]], amount=PREMADE_PAYOUT).pk for i in range(PREMADE)]
    tokens = {name: str(TenantAccessToken.for_user(user)) for name, user in people.items()}
    return Site(
        tag=tag,
        tokens=tokens,
        admins=["admin", "ada"],
        writers=writers,
        writer_ids=[people[name].pk for name in writers],
        unpaid=unpaid,
        delivered=delivered,
        payouts=payouts,
    )


def request_of(op: Op, site: Site) -> tuple[str, str, dict[str, Any]]:
    """``(who, path, body)`` of ``op``'s request."""
    admin = site.admins[op.actor]
    if op.kind == "pay":
        order, client = site.unpaid[op.target % len(site.unpaid)]
        return client, f"/api/v1/orders/{order}/pay/wallet/", {}
    if op.kind == "payout_request":
        return site.writers[op.target % WRITERS], "/api/v1/payouts/", {"amount": str(op.amount)}
    if op.kind == "fine":
        writer = site.writer_ids[op.target % WRITERS]
        return admin, "/api/v1/fines/", {"writer": writer, "amount": str(op.amount), "reason": "Plagiarised pages."}
    if op.kind.startswith("payout_"):
        reject = op.kind == "payout_reject"
        payout = site.payouts[REJECTABLE[op.target % len(REJECTABLE)] if reject else op.target % PREMADE]
        action, body = {
            "payout_approve": ("approve", {}),
            "payout_mark_paid": ("mark-paid", {"reference": f"BANK-{op.target}"}),
            "payout_reject": ("reject", {"note": "Bank details missing."}),
        }[op.kind]
        return admin, f"/api/v1/payouts/{payout}/{action}/", body
    order, client = site.delivered[op.target % DELIVERED]
    path = f"/api/v1/orders/{order}/"
    if op.kind == "approve":
        return client, f"{path}approve/", {"rating": 5}
    if op.kind == "dispute":
        return client, f"{path}dispute/", {"reason": "Not what I asked for."}
    if op.kind == "refund":
        return admin, f"{path}refunds/", {"amount": str(op.amount), "reason": "Part of it was late."}
    outcome = ("completed", "cancelled")[op.target // DELIVERED % 2]
    return admin, f"{path}resolve/", {"outcome": outcome, "note": "Decided."}


def sender(op: Op, site: Site, tenant: Tenant) -> Callable[[], Any]:
    """The request of ``op`` as a callable for the swarm; returns the response."""
    who, path, body = request_of(op, site)

    def send() -> Any:
        api = APIClient(HTTP_HOST=host_of(tenant))
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {site.tokens[who]}")
        # judge by status: the test client's exception capture is process-wide, so concurrent
        # clients would re-raise each other's exceptions
        api.raise_request_exception = False
        try:
            return api.post(path, body, format="json")
        finally:
            # the test client never gives its connection back (it keeps ``close_old_connections``
            # off): 12 threads holding theirs and the test's own would outnumber the pool's 10
            connections.close_all()

    return send


def outcome_of(op: Op, response: Any) -> str:
    """``"ok"`` for a 2xx, the error code of an allowed refusal (checked to be in the one error
    shape); fails on anything else (an exception, a 5xx, an unexpected refusal)."""
    assert not isinstance(response, BaseException), f"{op.kind} raised {response!r}"
    status = response.status_code
    if status < 300:
        return "ok"
    assert 400 <= status < 500, f"{op.kind}: HTTP {status} {response.content[:500]!r}"
    code = error_code(response)
    assert code in REFUSALS[op.kind], f"{op.kind}: HTTP {status} {code} {response.content[:500]!r}"
    return code


# --------------------------------------------------------------------------------------------
# What the records say, read after the swarm
# --------------------------------------------------------------------------------------------


@dataclass
class Records:
    """The example's objects and their ledger rows, as committed after the swarm."""

    books: Books
    unpaid_status: dict[int, str]
    payment_entries: dict[int, list[Decimal]]  # order -> its payment ledger amounts (positive)
    approved_payments: dict[int, int]  # order -> approved Payment rows of its invoice
    amount_paid: dict[int, Decimal]
    delivered_status: dict[int, str]
    totals: dict[int, Decimal]
    earnings: dict[int, Decimal]
    due_earnings: dict[int, Decimal]  # completed order -> what its writer earns on what the client kept
    earning_entries: dict[int, list[Decimal]]
    refunds: dict[int, Decimal]
    refund_entries: Decimal
    payouts: list[tuple[int, str, Decimal]]  # every payout request of the writers: (id, status, amount)
    payout_entries: dict[int, list[Decimal]]  # payout request -> its payout ledger amounts (positive)
    released: Counter[int]
    writer_held: dict[int, Decimal]
    fines: list[tuple[int, Decimal, Decimal, str]]  # (id, amount, deducted, status)
    deductions: dict[int, Decimal]
    deduction_entries: dict[int, Decimal]


def _ref_id(reference: str) -> int:
    """The id in a ledger reference ``<kind>:<id>:...``."""
    return int(reference.split(":")[1])


def read_records(site: Site) -> Records:
    """The records of ``site`` and their ledger rows (run in golf, on a connection of its own)."""
    from tenant_apps.payments.models import Payment, PaymentStatus
    from tenant_apps.wallet.models import LedgerEntry, Wallet
    from tenant_apps.writing.fines.models import Fine, FineDeduction
    from tenant_apps.writing.orders.models import Order, OrderRefund
    from tenant_apps.writing.orders.services import order_settings
    from tenant_apps.writing.wallets.models import PayoutRequest
    from tenant_apps.writing.writers.earnings import earning_for
    from tenant_apps.writing.writers.services import writer_profile_for

    books = assert_books_hold()
    unpaid_ids = [pk for pk, _ in site.unpaid]
    delivered_ids = [pk for pk, _ in site.delivered]
    orders = {o.pk: o for o in Order.objects.filter(pk__in=unpaid_ids + delivered_ids).select_related("invoice")}
    entries = LedgerEntry.objects.filter(wallet__user_id__in=site.writer_ids)
    payment_entries: dict[int, list[Decimal]] = defaultdict(list)
    for ref, delta in LedgerEntry.objects.filter(
        reference__in=[f"order:{pk}:payment" for pk in unpaid_ids], kind="payment"
    ).values_list("reference", "balance_delta"):
        payment_entries[_ref_id(ref)].append(-delta)
    earning_entries: dict[int, list[Decimal]] = defaultdict(list)
    for ref, delta in LedgerEntry.objects.filter(
        reference__in=[f"order:{pk}:earning" for pk in delivered_ids]
    ).values_list("reference", "balance_delta"):
        earning_entries[_ref_id(ref)].append(delta)
    refund_entries = sum(
        (
            delta
            for ref, delta in LedgerEntry.objects.filter(kind="refund", reference__startswith="order:").values_list(
                "reference", "balance_delta"
            )
            if _ref_id(ref) in delivered_ids
        ),
        ZERO,
    )
    refunds = {
        row["order"]: row["total"]
        for row in OrderRefund.objects.filter(order_id__in=delivered_ids).values("order").annotate(total=Sum("amount"))
    }
    due_earnings = {
        pk: earning_for(
            level=writer_profile_for(writer=orders[pk].writer).level,
            mode=order_settings().earning_mode,
            kept=orders[pk].total - refunds.get(pk, ZERO),
            pages=orders[pk].pages,
            currency=orders[pk].currency,
        )
        for pk in delivered_ids
        if orders[pk].status == "completed"
    }
    payouts = list(PayoutRequest.objects.filter(writer_id__in=site.writer_ids).values_list("pk", "status", "amount"))
    payout_entries: dict[int, list[Decimal]] = defaultdict(list)
    for ref, delta, held in entries.filter(kind="payout").values_list("reference", "balance_delta", "held_delta"):
        payout_entries[_ref_id(ref)].append(-(delta + held))
    released = Counter(
        _ref_id(ref) for ref in entries.filter(kind="escrow_release").values_list("reference", flat=True)
    )
    fines = list(Fine.objects.filter(writer_id__in=site.writer_ids).values_list("pk", "amount", "deducted", "status"))
    fine_ids = [f[0] for f in fines]
    deductions = {
        row["fine"]: row["total"]
        for row in FineDeduction.objects.filter(fine_id__in=fine_ids).values("fine").annotate(total=Sum("amount"))
    }
    deduction_entries: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for ref, delta in entries.filter(kind="payment", reference__startswith="fine:").values_list(
        "reference", "balance_delta"
    ):
        deduction_entries[_ref_id(ref)] += -delta
    approved = Counter(
        Payment.objects.filter(status=PaymentStatus.APPROVED, invoice__writing_order__in=unpaid_ids).values_list(
            "invoice_id", flat=True
        )
    )
    return Records(
        books=books,
        unpaid_status={pk: orders[pk].status for pk in unpaid_ids},
        payment_entries=dict(payment_entries),
        approved_payments={pk: approved[orders[pk].invoice_id or 0] for pk in unpaid_ids},
        amount_paid={pk: orders[pk].invoice.amount_paid for pk in unpaid_ids},  # type: ignore[union-attr]
        delivered_status={pk: orders[pk].status for pk in delivered_ids},
        totals={pk: orders[pk].total for pk in unpaid_ids + delivered_ids},
        earnings={pk: orders[pk].earning for pk in delivered_ids},
        due_earnings=due_earnings,
        earning_entries=dict(earning_entries),
        refunds=refunds,
        refund_entries=refund_entries,
        payouts=payouts,
        payout_entries=dict(payout_entries),
        released=released,
        writer_held=dict(Wallet.objects.filter(user_id__in=site.writer_ids).values_list("user_id", "held_balance")),
        fines=fines,
        deductions=deductions,
        deduction_entries=dict(deduction_entries),
    )


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@pytest.fixture
def clean_books_after(golf: Tenant) -> Iterator[None]:
    """After the test, once ``committed`` has deleted what it committed (set up before it, this is
    torn down after it): the site's books still hold and no person of the examples is left."""
    yield

    def check() -> int:
        from tenant_apps.accounts.models import User

        with tenant_context(golf):
            assert_books_hold()
            return User.objects.filter(email__regex=r"^mi[0-9]+-").count()

    assert in_thread(check) == 0


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: an example is 200 requests on committed rows
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans())
def test_200_conflicting_payments_refunds_payouts_and_fines_keep_the_books_and_the_records_in_step(
    clean_books_after: None, golf: Tenant, committed: Callable[[Callable[[], Any]], Any], plan: list[Op]
) -> None:
    # given: committed orders, wallets and payout requests of a fresh set of people
    site: Site = committed(lambda: set_up(f"mi{next(_examples)}"))
    before: Books = committed(assert_books_hold)
    # when: the 200 requests, 12 at a time
    responses = swarm([sender(op, site, golf) for op in plan], tenant=golf)
    # then: each one succeeded or was refused as it may be under contention, never a 5xx
    outcomes = [outcome_of(op, response) for op, response in zip(plan, responses, strict=True)]
    done = [op for op, outcome in zip(plan, outcomes, strict=True) if outcome == "ok"]
    found: Records = committed(lambda: read_records(site))  # the books hold (assert_books_hold)
    flows = found.books

    # each order is paid at most once, for its total, and as often as the payers' money allows
    assert set(found.totals.values()) == {TOTAL}
    paid = [pk for pk, _ in site.unpaid if found.unpaid_status[pk] != "unpaid"]
    for pk, _ in site.unpaid:
        times = 1 if pk in paid else 0
        assert found.payment_entries.get(pk, []) == [found.totals[pk]] * times, pk
        assert (found.approved_payments[pk], found.amount_paid[pk]) == (times, found.totals[pk] * times), pk
    targeted = {site.unpaid[op.target % len(site.unpaid)] for op in plan if op.kind == "pay"}
    expected = {"pia": sum(1 for _, c in targeted if c == "pia")}
    expected["pat"] = min(sum(1 for _, c in targeted if c == "pat"), int(POOR_FUNDS // TOTAL))
    assert Counter(client for pk, client in site.unpaid if pk in paid) == Counter(expected)
    assert sum(1 for op in done if op.kind == "pay") == len(paid)

    # each delivered order is approved or disputed exactly once (if the plan tried either)
    for index, (pk, _) in enumerate(site.delivered):
        tried = [op for op in plan if op.kind in {"approve", "dispute"} and op.target % DELIVERED == index]
        won = [op for op in done if op.kind in {"approve", "dispute"} and op.target % DELIVERED == index]
        assert len(won) == (1 if tried else 0), (pk, won)
        # its escrow goes to the writer (and the site's commission) or back to the client, never
        # beyond what was paid; approved orders are never refunded; one earning at most
        refunded = found.refunds.get(pk, ZERO)
        earning = found.earnings[pk]
        assert found.earning_entries.get(pk, []) == ([earning] if earning > 0 else []), pk
        assert refunded + earning <= found.totals[pk], (pk, refunded, earning)
        if won and won[0].kind == "approve":
            assert (found.delivered_status[pk], refunded) == ("completed", ZERO), pk
        # a completed order earns its writer their share of what the client kept (no refund
        # after it); any other order earns nothing
        assert earning == found.due_earnings.get(pk, ZERO), (pk, earning, refunded)
        if found.delivered_status[pk] == "completed" and refunded == ZERO:
            assert earning > 0, pk
    assert found.refund_entries == sum(found.refunds.values(), ZERO)
    assert sum(op.amount for op in done if op.kind == "refund") == found.refund_entries

    # payouts: each paid request is one payout in the ledger for its amount, and the rest none;
    # the writers' held money is exactly their open requests; rejected ones released once
    by_status: dict[str, list[tuple[int, Decimal]]] = defaultdict(list)
    for pk, status, amount in found.payouts:
        by_status[status].append((pk, amount))
        assert found.payout_entries.get(pk, []) == ([amount] if status == "paid" else []), pk
        assert found.released[pk] == (1 if status == "rejected" else 0), pk
    paid_out = sum((amount for _, amount in by_status["paid"]), ZERO)
    assert sum((sum(v, ZERO) for v in found.payout_entries.values()), ZERO) == paid_out
    assert flows.flow_since(before, "payout") == -paid_out
    open_requests = sum((amount for _, amount in by_status["requested"] + by_status["approved"]), ZERO)
    assert sum(found.writer_held.values(), ZERO) == open_requests
    approvals = Counter(site.payouts[op.target % PREMADE] for op in done if op.kind == "payout_approve")
    assert all(times == 1 for times in approvals.values()), approvals
    for index, pk in enumerate(site.payouts):
        if index not in REJECTABLE and any(op.kind == "payout_approve" and op.target % PREMADE == index for op in plan):
            assert approvals[pk] == 1, pk
    assert sum(1 for op in done if op.kind == "payout_mark_paid") == len(by_status["paid"])
    requested = sum(1 for op in done if op.kind == "payout_request")
    assert len(found.payouts) == PREMADE + requested

    # fines: every one issued; what was deducted is in the ledger, never more than the fine
    assert len(found.fines) == MIX["fine"]
    for pk, amount, deducted, status in found.fines:
        assert ZERO <= deducted <= amount, pk
        assert found.deductions.get(pk, ZERO) == deducted == found.deduction_entries.get(pk, ZERO), pk
        assert (status == "settled") == (deducted == amount), pk
    fined = sum((deducted for _, _, deducted, _ in found.fines), ZERO)
    assert sum(1 for op in done if op.kind == "payout_request") < MIX["payout_request"], "no payout ran short"

    # the site's money: what the swarm took in payments is the orders paid plus the fines deducted
    assert flows.flow_since(before, "payment") == -(len(paid) * TOTAL + fined)
    assert flows.flow_since(before, "earning") == sum(found.earnings.values(), ZERO)
    assert flows.flow_since(before, "refund") == found.refund_entries
