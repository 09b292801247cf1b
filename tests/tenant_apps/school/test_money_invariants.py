"""School invoices under load (issue 18, point 3): 200 conflicting money operations at once, then the
books of the site hold and agree with its invoices, payments, refunds and lesson purchases.

A hypothesis strategy draws a plan: invoice totals, what the students' wallets hold, and 200
operations on the same few invoices, payments, wallets and products. Every kind of operation is in
every plan, and the conflicts the school meets are always there: several students paying one
invoice from their wallets at once, payments while a finance user cancels the invoice, the same
bank transfers approved (or rejected) by two finance users at once, refunds of one payment adding up
to more than was paid, and students ordering lessons and paying them from a wallet that cannot cover
them all. The plan runs on ``tests.money.swarm`` (12 at a time, committed rows), through the REST
API where there is an endpoint (ordering a product, cancelling, bank transfers, approving and
rejecting them), else through the payments services (wallet payments and refunds).

Then: no 5xx and no refusal other than the conflict's own; ``assert_books_hold``; the money paid out
of wallets equals the wallet payments recorded, the money refunded into them equals the refunds of
wallet payments; every invoice's ``amount_paid`` is its approved payments, never above its total,
``paid`` exactly when they reach it, nothing approved or pending on a cancelled invoice; refunds
never exceed their payment; and where the conflict decides the count, the count (one payment per
contested invoice, one decision per bank transfer, as many lessons paid as the wallet covers).
Everything committed is removed afterwards.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.tokens import TenantAccessToken
from tenant_apps.payments.models import Invoice, Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus
from tenant_apps.payments.services import payment_refund, payment_wallet_pay
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind, Wallet
from tenant_apps.wallet.selectors import wallet_of
from tests.api import error_code
from tests.concurrency import in_thread
from tests.conftest import host_of
from tests.factories import (
    InvoiceFactory,
    PaymentFactory,
    ProductFactory,
    StoredFileFactory,
    UserFactory,
    WalletFactory,
)
from tests.money import Books, assert_books_hold, swarm

D = Decimal
CENT = D("0.01")
NO_AMOUNT = D("0.00")
OPERATIONS = 200
EMAIL = "money-{}@alpha.test"
RICH, POOR, FINANCE = 3, 3, 2
RICH_FUNDS = D("1000.00")  # more than every invoice of a plan together: a rich payer never runs short
PRICE = D("10.00")
PRODUCTS = ("P0", "P1", "P2")
SHARED = ("S0", "S1", "S2", "S3")  # paid from wallets and by bank transfer, refunded, cancelled
CONTESTED = ("C0", "C1")  # only paid from wallets, by several rich students at once
DECIDED = ("J0", "J1")  # each with two pending bank transfers, decided twice over, or cancelled
REFUNDED = ("K0", "K1")  # paid before the swarm (K0 from a wallet, K1 by bank transfer), refunded
PENDING = ("Q0", "Q1", "Q2", "Q3")  # the bank transfers of DECIDED: Q0, Q1 on J0; Q2, Q3 on J1
KINDS = ("buy", "wallet_pay", "offline", "approve_pending", "cancel", "approve", "reject", "refund")

#: What each kind of operation may meet besides success; anything else fails the test.
REFUSALS: dict[str, set[str]] = {
    "buy": {"overpayment", "insufficient_funds"},
    "wallet_pay": {"overpayment", "invoice_cancelled"},
    "offline": {"overpayment", "invoice_cancelled"},
    "approve_pending": {"none", "invalid_status_transition"},
    "cancel": {"invoice_has_payments", "invalid_status_transition"},
    "approve": {"invalid_status_transition"},
    "reject": {"invalid_status_transition"},
    "refund": {"none", "refund_exceeds_payment"},
}


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One planned operation: ``kind`` on ``target`` (an invoice, pending payment or product key)
    by the ``actor``-th user of its role (poor students buy, rich ones pay, finance users decide),
    for ``amount`` where the kind takes one."""

    kind: str
    target: str
    actor: int = 0
    amount: Decimal = NO_AMOUNT


@dataclass(frozen=True)
class Plan:
    """Invoice totals by key, what the poor students' wallets hold, and the operations, in order."""

    totals: dict[str, Decimal]
    poor_funds: tuple[Decimal, ...]
    ops: tuple[Op, ...]


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts from ``low`` to ``high`` cents."""
    return st.integers(low, high).map(lambda cents: (D(cents) * CENT).quantize(CENT))


def op_of(kind: str) -> st.SearchStrategy[Op]:
    """Operations of ``kind`` on any of the targets that kind can have."""
    finance = st.integers(0, FINANCE - 1)
    return {
        "buy": st.builds(Op, st.just("buy"), st.sampled_from(PRODUCTS), st.integers(0, POOR - 1)),
        "wallet_pay": st.builds(Op, st.just("wallet_pay"), st.sampled_from(SHARED + CONTESTED), st.integers(0, 2)),
        "offline": st.builds(Op, st.just("offline"), st.sampled_from(SHARED), st.just(0), money(100, 6000)),
        "approve_pending": st.builds(Op, st.just("approve_pending"), st.sampled_from(SHARED), finance),
        "cancel": st.builds(Op, st.just("cancel"), st.sampled_from(SHARED + DECIDED), finance),
        "approve": st.builds(Op, st.just("approve"), st.sampled_from(PENDING), finance),
        "reject": st.builds(Op, st.just("reject"), st.sampled_from(PENDING), finance),
        "refund": st.builds(Op, st.just("refund"), st.sampled_from(REFUNDED + SHARED), finance, money(100, 2000)),
    }[kind]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """A plan whose core always holds the conflicts (each contested invoice paid by three students,
    each bank transfer approved by both finance users, each refunded payment refunded three times,
    each poor student ordering every product, ...), filled up to ``OPERATIONS`` with any operations,
    shuffled."""
    totals = {key: draw(money(2000, 9000)) for key in SHARED + CONTESTED + REFUNDED}
    totals.update({key: 2 * draw(money(1000, 4500)) for key in DECIDED})
    poor_funds = tuple(D(draw(st.sampled_from((25, 5, 15, 35)))).quantize(CENT) for _ in range(POOR))
    core = [Op("wallet_pay", key, payer) for key in CONTESTED for payer in range(RICH)]
    core += [Op("approve", key, fin) for key in PENDING for fin in range(FINANCE)]
    # refunds of at most 20.00 (the least a total can be): the first always fits, three may not
    core += [Op("refund", key, 0, draw(money(100, 2000))) for key in REFUNDED for _ in range(3)]
    core += [Op("buy", product, student) for product in PRODUCTS for student in range(POOR)]
    core += [Op("cancel", key, 1) for key in SHARED[:2] + DECIDED[:1]]
    for kind in KINDS:
        core += draw(st.lists(op_of(kind), min_size=3, max_size=3))
    # the rest: kind j of the rest is KINDS[(j + shift) % len(KINDS)], so even the simplest draw
    # (every shift 0) is a mix of every kind, not 150 times the first one
    for j in range(OPERATIONS - len(core)):
        shift = draw(st.integers(0, len(KINDS) - 1))
        core.append(draw(op_of(KINDS[(j + shift) % len(KINDS)])))
    ops = draw(st.permutations(core))
    return Plan(totals=totals, poor_funds=poor_funds, ops=tuple(ops))


# --------------------------------------------------------------------------------------------
# The committed site
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    """What the swarm works on, committed in alpha: users (with API tokens), products, invoices and
    payments by key, a receipt per bank-transfer operation, and where the site stood before."""

    fin: list[User] = field(default_factory=list)
    rich: list[User] = field(default_factory=list)
    poor: list[User] = field(default_factory=list)
    tokens: dict[int, str] = field(default_factory=dict)
    products: dict[str, int] = field(default_factory=dict)
    invoices: dict[str, int] = field(default_factory=dict)
    payments: dict[str, int] = field(default_factory=dict)
    receipts: dict[int, str] = field(default_factory=dict)
    marks: dict[str, Any] = field(default_factory=dict)


def read_marks() -> dict[str, Any]:
    """The last ids of the append-only tables the swarm adds to, and the invoice counter."""
    from shared_apps.outbox.models import OutboxMessage
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import InvoiceCounter

    def last(model: Any) -> int:
        return int(model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)

    counter = InvoiceCounter.objects.filter(key="invoice").first()
    return {
        "audit": last(AuditLogEntry),
        "notification": last(Notification),
        "outbox": last(OutboxMessage),
        "counter": counter.value if counter else None,
    }


def build_site(plan: Plan) -> Site:
    """Commit the plan's users, wallets, products, invoices and payments (call inside alpha)."""
    from tenant_apps.payments.services import payment_wallet_pay

    site = Site(marks=read_marks())
    admin = User.objects.get(email="admin@alpha.test")
    site.fin = [UserFactory(email=EMAIL.format(f"fin{n}"), roles=["financial"]) for n in range(FINANCE)]
    site.rich = [UserFactory(email=EMAIL.format(f"rich{n}"), roles=["student"]) for n in range(RICH)]
    site.poor = [UserFactory(email=EMAIL.format(f"poor{n}"), roles=["student"]) for n in range(POOR)]
    for user in site.rich:
        WalletFactory(user=user, balance=RICH_FUNDS)
    for user, funds in zip(site.poor, plan.poor_funds, strict=True):
        WalletFactory(user=user, balance=funds)
    for user in (*site.fin, site.rich[0], *site.poor):
        site.tokens[user.pk] = str(TenantAccessToken.for_user(user))
    for key in PRODUCTS:
        site.products[key] = ProductFactory(
            actor=admin,
            title=f"Money course {key}",
            price=PRICE,
            currency=settings.DEFAULT_CURRENCY,
            is_published=True,
            groups_per_batch=2,
            max_group_size=2,
        ).pk
    customers = {"S": site.rich[0], "C": site.rich[2], "J": site.rich[1], "K": site.rich[2]}
    for key, total in plan.totals.items():
        site.invoices[key] = InvoiceFactory(customer=customers[key[0]], total=str(total)).pk
    for n, key in enumerate(PENDING):
        invoice = Invoice.objects.get(pk=site.invoices[DECIDED[n // 2]])
        site.payments[key] = PaymentFactory(
            invoice=invoice, payer=site.rich[1], amount=invoice.total / 2, tracking_code=f"MONEY-{key}"
        ).pk
    k0 = Invoice.objects.get(pk=site.invoices["K0"])
    site.payments["K0"] = payment_wallet_pay(invoice=k0, payer=site.rich[2], reference="money:setup:K0").pk
    k1 = Invoice.objects.get(pk=site.invoices["K1"])
    site.payments["K1"] = PaymentFactory(invoice=k1, payer=site.rich[2], approved=True, decided_by=site.fin[0]).pk
    for index, op in enumerate(plan.ops):
        if op.kind == "offline":
            site.receipts[index] = str(StoredFileFactory(uploaded_by=site.rich[0], name=f"money-{index}.pdf").pk)
    return site


def remove_site(alpha: Tenant, marks: dict[str, Any] | None) -> None:
    """Delete, from a thread of its own, every row the test committed in alpha (ledger entries past
    their append-only guard), restore the invoice counter and drop the outbox messages it sent
    (``marks``: where the site stood before; ``None`` when the set-up failed before reading them)."""
    from shared_apps.outbox.models import OutboxMessage
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.files.models import StoredFile
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import InvoiceCounter
    from tenant_apps.school.lessons.models import Author, Product, ProductPurchase

    def remove() -> None:
        with tenant_context(alpha):
            users = list(User.objects.filter(email__startswith="money-", email__endswith="@alpha.test"))
            invoices = list(Invoice.objects.filter(customer__in=users).values_list("pk", flat=True))
            products = list(Product.objects.filter(title__startswith="Money course "))
            authors = {product.author_id for product in products}
            Refund.objects.filter(payment__invoice_id__in=invoices).delete()
            ProductPurchase.objects.filter(invoice_id__in=invoices).delete()
            Payment.objects.filter(invoice_id__in=invoices).delete()
            for stored in StoredFile.objects.filter(uploaded_by__in=users):
                stored.file.delete(save=False)
                stored.delete()
            Invoice.objects.filter(pk__in=invoices).delete()
            Product.objects.filter(pk__in=[p.pk for p in products]).delete()
            Author.objects.filter(pk__in=authors).delete()
            wallets = list(Wallet.objects.filter(user__in=users).values_list("pk", flat=True))
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM wallet_ledgerentry WHERE wallet_id = ANY(%s)", [wallets])
            Wallet.objects.filter(pk__in=wallets).delete()
            if marks is not None:
                AuditLogEntry.objects.filter(pk__gt=marks["audit"]).delete()
                Notification.objects.filter(pk__gt=marks["notification"]).delete()
                if marks["counter"] is None:
                    InvoiceCounter.objects.filter(key="invoice").delete()
                else:
                    InvoiceCounter.objects.filter(key="invoice").update(value=marks["counter"])
            User.objects.filter(pk__in=[user.pk for user in users]).delete()
        if marks is not None:
            OutboxMessage.objects.filter(pk__gt=marks["outbox"]).delete()

    in_thread(remove)
    tenant_connection().set_schema_to_public()


# --------------------------------------------------------------------------------------------
# The operations
# --------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What an operation met: ``"ok"``, a refusal's code or ``"none"`` (nothing to act on), and the
    payment it made or acted on, with the amount, when there was one."""

    result: str
    payment: int | None = None
    amount: Decimal = NO_AMOUNT


def post(alpha: Tenant, token: str, path: str, data: dict[str, Any] | None = None) -> tuple[str, Any]:
    """``POST /api/v1/<path>`` as the token's user: ``("ok", body)`` for a 2xx, ``(code, body)`` for a
    4xx in the API's one error shape; a 5xx fails the operation."""
    api = APIClient(HTTP_HOST=host_of(alpha))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # judge by the status: the test client re-raises through a process-wide signal otherwise
    api.raise_request_exception = False
    response = api.post(f"/api/v1/{path}", data or {}, format="json")
    if 200 <= response.status_code < 300:
        return "ok", response.json()
    if 400 <= response.status_code < 500:
        return error_code(response), response.json()
    raise AssertionError(f"HTTP {response.status_code} on {path}: {response.content[:500]!r}")


def served(alpha: Tenant, work: Callable[[], Payment | Refund]) -> Outcome:
    """Run a payments service in alpha: its payment (or its refund's payment) and amount, or its refusal."""
    with tenant_context(alpha):
        try:
            made = work()
        except ApplicationError as refused:
            return Outcome(refused.code)
    payment = made.payment_id if isinstance(made, Refund) else made.pk
    return Outcome("ok", payment, made.amount)


def operation(alpha: Tenant, site: Site, index: int, op: Op) -> Callable[[], Outcome]:
    """The callable the swarm runs for the ``index``-th operation of the plan."""
    fin = site.fin[op.actor % FINANCE]
    reference = f"money:{index}"

    def first_payment(invoice_key: str, **filters: Any) -> int | None:
        with tenant_context(alpha):
            found = Payment.objects.filter(invoice_id=site.invoices[invoice_key], **filters)
            return found.order_by("pk").values_list("pk", flat=True).first()

    def wallet_pay(invoice: int, payer: User) -> Outcome:
        return served(
            alpha,
            lambda: payment_wallet_pay(invoice=Invoice.objects.get(pk=invoice), payer=payer, reference=reference),
        )

    def buy() -> Outcome:
        student = site.poor[op.actor]
        code, body = post(alpha, site.tokens[student.pk], f"products/{site.products[op.target]}/purchase/")
        if code == "ok":
            invoice = body["invoice"]
        elif code == "already_purchased":
            invoice = body["error"]["details"]["invoice"]
        else:
            return Outcome(f"purchase refused: {code}")
        return wallet_pay(invoice, student)

    def decide(verb: str, payment: int | None, data: dict[str, Any] | None = None) -> Outcome:
        if payment is None:
            return Outcome("none")
        code, _ = post(alpha, site.tokens[fin.pk], f"payments/{payment}/{verb}/", data)
        return Outcome(code, payment)

    def refund() -> Outcome:
        if op.target in REFUNDED:
            payment: int | None = site.payments[op.target]
        else:  # the newest approved payment of a shared invoice, whichever that is by now
            with tenant_context(alpha):
                approved = Payment.objects.filter(invoice_id=site.invoices[op.target], status=PaymentStatus.APPROVED)
                payment = approved.order_by("-pk").values_list("pk", flat=True).first()
        if payment is None:
            return Outcome("none")
        pk = payment

        def give_back() -> Refund:
            return payment_refund(payment=Payment.objects.get(pk=pk), amount=op.amount, reason="swarm", actor=fin)

        outcome = served(alpha, give_back)
        return Outcome(outcome.result, pk, op.amount)

    def run() -> Outcome:
        if op.kind == "buy":
            return buy()
        if op.kind == "wallet_pay":
            return wallet_pay(site.invoices[op.target], site.rich[op.actor])
        if op.kind == "offline":
            data = {"amount": str(op.amount), "tracking_code": f"MONEY-{index}", "receipt": site.receipts[index]}
            code, body = post(
                alpha, site.tokens[site.rich[0].pk], f"invoices/{site.invoices[op.target]}/offline-payments/", data
            )
            return Outcome(code, body.get("id") if code == "ok" else None, op.amount)
        if op.kind == "approve_pending":
            return decide("approve", first_payment(op.target, status=PaymentStatus.PENDING))
        if op.kind == "cancel":
            code, _ = post(
                alpha, site.tokens[fin.pk], f"invoices/{site.invoices[op.target]}/cancel/", {"reason": "swarm"}
            )
            return Outcome(code)
        if op.kind == "approve":
            return decide("approve", site.payments[op.target])
        if op.kind == "reject":
            return decide("reject", site.payments[op.target], {"reason": "swarm"})
        return refund()

    return run


# --------------------------------------------------------------------------------------------
# What the site holds afterwards
# --------------------------------------------------------------------------------------------


@dataclass
class State:
    """The books (checked by ``assert_books_hold``) and the records of the plan's users, read after
    the swarm: invoices and payments by id, refunds (not failed) by payment, wallet balances by
    user, purchases, seats by (student, product), the wallet debits of the swarm by reference and
    the wallet credits of refunds."""

    books: Books
    invoices: dict[int, dict[str, Any]]
    payments: dict[int, dict[str, Any]]
    refunds: dict[int, list[Decimal]]
    balances: dict[int, Decimal]
    purchases: list[dict[str, Any]]
    seats: Counter[tuple[int, int]]
    paid_out: dict[str, Decimal]
    refunded_in: Decimal


def read_state(site: Site) -> State:
    """The ``State`` of the site (call inside alpha, on a connection that sees the swarm's commits)."""
    from tenant_apps.school.lessons.models import GroupMembership, ProductPurchase

    books = assert_books_hold()
    users = [user.pk for user in site.rich + site.poor]
    invoices = {
        row["pk"]: dict(row)
        for row in Invoice.objects.filter(customer_id__in=users).values(
            "pk", "total", "amount_paid", "status", "cancelled_at"
        )
    }
    payments = {
        row["pk"]: dict(row)
        for row in Payment.objects.filter(invoice_id__in=list(invoices)).values(
            "pk", "invoice_id", "amount", "status", "method", "reason"
        )
    }
    refunds: dict[int, list[Decimal]] = defaultdict(list)
    given_back = Refund.objects.filter(payment_id__in=list(payments)).exclude(status=RefundStatus.FAILED)
    for payment_id, amount in given_back.values_list("payment_id", "amount"):
        refunds[payment_id].append(amount)
    entries = LedgerEntry.objects.filter(wallet__user_id__in=users)
    debits = entries.filter(kind=LedgerEntryKind.PAYMENT, reference__regex=r"^money:[0-9]+$")
    credits = entries.filter(kind=LedgerEntryKind.REFUND, reference__startswith="payment:")
    products = list(site.products.values())
    return State(
        books=books,
        invoices=invoices,
        payments=payments,
        refunds=refunds,
        balances=dict(Wallet.objects.filter(user_id__in=users).values_list("user_id", "balance")),
        purchases=[
            dict(row)
            for row in ProductPurchase.objects.filter(product_id__in=products).values(
                "student_id", "product_id", "status", "invoice_id"
            )
        ],
        seats=Counter(GroupMembership.objects.filter(product_id__in=products).values_list("student_id", "product_id")),
        paid_out={ref: -delta for ref, delta in debits.values_list("reference", "balance_delta")},
        refunded_in=sum((delta for delta in credits.values_list("balance_delta", flat=True)), D("0.00")),
    )


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of ``amounts``, 0.00 when there are none."""
    return sum(amounts, D("0.00"))


def check(plan: Plan, site: Site, before: Books, outcomes: list[Outcome], state: State) -> None:
    """Every assertion of the module docstring on the swarm's ``outcomes`` and the ``state`` after it."""
    ops = list(enumerate(plan.ops))

    def oks(kind: str, target: str | None = None) -> list[tuple[int, Outcome]]:
        return [
            (i, outcomes[i])
            for i, op in ops
            if op.kind == kind and outcomes[i].result == "ok" and target in (None, op.target)
        ]

    # the books hold, and the money that moved is the money the records say moved
    wallet_paid = {f"money:{i}": o.amount for i, o in oks("buy") + oks("wallet_pay")}
    assert state.paid_out == wallet_paid
    wallet_payments = [p for p in state.payments.values() if p["method"] == PaymentMethod.WALLET]
    assert all(p["status"] == PaymentStatus.APPROVED for p in wallet_payments)
    setup_payment = state.payments[site.payments["K0"]]["amount"]
    assert -state.books.flow_since(before, LedgerEntryKind.PAYMENT) == total(wallet_paid.values())
    assert total(p["amount"] for p in wallet_payments) == total(wallet_paid.values()) + setup_payment
    wallet_refunds = total(a for p in wallet_payments for a in state.refunds.get(p["pk"], []))
    assert state.books.flow_since(before, LedgerEntryKind.REFUND) == wallet_refunds == state.refunded_in
    moved = state.books.flow_since(before, LedgerEntryKind.PAYMENT) + wallet_refunds
    assert state.books.users_total - before.users_total == moved

    # every invoice: amount_paid is its approved payments, never above its total; paid exactly at it
    keys = {pk: key for key, pk in site.invoices.items()}
    cancels = Counter(op.target for i, op in ops if op.kind == "cancel" and outcomes[i].result == "ok")
    for pk, invoice in state.invoices.items():
        mine = [p for p in state.payments.values() if p["invoice_id"] == pk]
        approved = total(p["amount"] for p in mine if p["status"] == PaymentStatus.APPROVED)
        pending = total(p["amount"] for p in mine if p["status"] == PaymentStatus.PENDING)
        assert invoice["amount_paid"] == approved <= invoice["total"], invoice
        assert approved + pending <= invoice["total"], invoice
        assert (invoice["status"] == "paid") == (approved == invoice["total"]), invoice
        if invoice["cancelled_at"] is not None:
            assert (invoice["status"], approved, pending) == ("cancelled", 0, 0), invoice
        assert cancels[keys.get(pk, "")] == (1 if invoice["cancelled_at"] is not None else 0), invoice
    # refunds: exactly the successful ones, never more than their payment
    refunds_ok: dict[int, list[Decimal]] = defaultdict(list)
    for _, o in oks("refund"):
        assert o.payment is not None
        refunds_ok[o.payment].append(o.amount)
    assert {p: sorted(a) for p, a in state.refunds.items()} == {p: sorted(a) for p, a in refunds_ok.items()}
    for payment_id, amounts in state.refunds.items():
        assert total(amounts) <= state.payments[payment_id]["amount"]
    for key in REFUNDED:  # a refund refused as too much was too much even for what was left in the end
        paid, refunded = state.payments[site.payments[key]]["amount"], total(state.refunds.get(site.payments[key], []))
        for i, op in ops:
            if op.kind == "refund" and op.target == key and outcomes[i].result == "refund_exceeds_payment":
                assert refunded + op.amount > paid, (key, op.amount, refunded, paid)
    # several students paying one invoice from their wallets at once: exactly one pays it
    for key in CONTESTED:
        assert len(oks("wallet_pay", key)) == 1
        assert state.invoices[site.invoices[key]]["status"] == "paid"
    # each bank transfer decided once, however many finance users decided it at the same time
    for key in PENDING:
        payment = state.payments[site.payments[key]]
        approvals, rejections = len(oks("approve", key)), len(oks("reject", key))
        if payment["status"] == PaymentStatus.APPROVED:
            assert (approvals, rejections) == (1, 0), key
        else:
            assert payment["status"] == PaymentStatus.REJECTED, key
            by_cancel = payment["reason"].startswith("Invoice cancelled")
            assert (approvals, rejections + by_cancel) == (0, 1), key
    approved_once = Counter(o.payment for _, o in oks("approve_pending"))
    for payment in state.payments.values():
        if keys.get(payment["invoice_id"], "").startswith("S") and payment["method"] == PaymentMethod.OFFLINE:
            expected = 1 if payment["status"] == PaymentStatus.APPROVED else 0
            assert approved_once[payment["pk"]] == expected, payment
    # lessons bought against a wallet that cannot pay them all: as many paid as it covers
    for n, student in enumerate(site.poor):
        tried = {op.target for _, op in ops if op.kind == "buy" and op.actor == n}
        paid = [p for p in state.purchases if p["student_id"] == student.pk and p["status"] == "paid"]
        assert len(paid) == min(len(tried), int(plan.poor_funds[n] // PRICE)), (n, plan.poor_funds[n], tried)
        assert state.balances[student.pk] == plan.poor_funds[n] - PRICE * len(paid)
    for purchase in state.purchases:
        invoice_paid = state.invoices[purchase["invoice_id"]]["status"] == "paid"
        assert (purchase["status"] == "paid") == invoice_paid, purchase
        assert state.seats[(purchase["student_id"], purchase["product_id"])] == (1 if invoice_paid else 0)
    live = Counter((p["student_id"], p["product_id"]) for p in state.purchases if p["status"] != "cancelled")
    assert max(live.values(), default=0) <= 1
    # and the plan did conflict
    assert oks("wallet_pay") and oks("refund")
    assert any(outcomes[i].result == "overpayment" for i, op in ops if op.kind == "wallet_pay")
    assert any(outcomes[i].result == "invalid_status_transition" for i, op in ops if op.kind == "approve")


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


@hypothesis_settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.generate,),  # no shrinking: each example commits a whole site; the plan is printed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=plans())
def test_two_hundred_conflicting_school_payments_keep_the_books_and_agree_with_the_invoices(
    alpha: Tenant, plan: Plan
) -> None:
    # given: the plan's users, wallets, products, invoices and payments, committed in alpha
    def in_alpha(work: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(alpha):
                return work()

        return run

    start: tuple[Books, dict[str, Any]] = in_thread(in_alpha(lambda: (assert_books_hold(), read_marks())))
    try:
        site: Site = in_thread(in_alpha(lambda: build_site(plan)))
        before: Books = in_thread(in_alpha(assert_books_hold))
        # when: the 200 operations, 12 at a time
        results = swarm([operation(alpha, site, i, op) for i, op in enumerate(plan.ops)], tenant=alpha)
        # then: nothing failed (no 5xx, no deadlock) and each was refused only as its conflict refuses
        failures = [(plan.ops[i], r) for i, r in enumerate(results) if not isinstance(r, Outcome)]
        assert failures == []
        outcomes: list[Outcome] = results
        unexpected = [
            (op, o.result)
            for op, o in zip(plan.ops, outcomes, strict=True)
            if o.result != "ok" and o.result not in REFUSALS[op.kind]
        ]
        assert unexpected == []
        state: State = in_thread(in_alpha(lambda: read_state(site)))
        check(plan, site, before, outcomes, state)
    finally:
        remove_site(alpha, start[1])
    # and the site is as it was
    after: Books = in_thread(in_alpha(assert_books_hold))
    assert (after.users_total, after.entries) == (start[0].users_total, start[0].entries)


def test_refunding_a_wallet_payment_gives_the_money_back_to_the_wallet(alpha: Tenant) -> None:
    # given: a 100.00 invoice paid from a wallet that held 150.00
    with tenant_context(alpha):
        customer = UserFactory(email=EMAIL.format("refund"), roles=["student"])
        WalletFactory(user=customer, balance="150.00")
        invoice = InvoiceFactory(customer=customer)
        payment = payment_wallet_pay(invoice=invoice, payer=customer, reference="money:refund")
        before = assert_books_hold()
        # when: 30.00 then 70.00 of it are refunded, and one cent more is asked for
        first = payment_refund(payment=payment, amount="30.00", reason="Late start")
        payment_refund(payment=payment, amount="70.00", reason="Cancelled")
        with pytest.raises(ApplicationError) as refused:
            payment_refund(payment=payment, amount="0.01")
        # then: the wallet got the 100.00 back, one ledger credit per refund, from the site
        assert refused.value.code == "refund_exceeds_payment"
        assert wallet_of(user=customer).balance == D("150.00")
        after = assert_books_hold()
        assert after.flow_since(before, LedgerEntryKind.REFUND) == D("100.00")
        credit = LedgerEntry.objects.get(reference=f"payment:{payment.pk}:refund:{first.pk}")
        assert (credit.kind, credit.balance_delta, credit.counterparty_id) == ("refund", D("30.00"), None)
