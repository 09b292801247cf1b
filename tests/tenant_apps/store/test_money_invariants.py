"""The store's money under load (issue 18, point 3): 200 concurrent, conflicting operations
through the REST API, then the books and the store's own records must agree.

Two property-based tests (hypothesis draws the stocks, prices, quantities, funds, bids and the
order the operations start in; ``tests/money.py`` ``swarm`` runs them 12 at a time, each thread
with its own connection, committed):

* **checkout**: buyers racing for the last units of three products (each one its own buyer,
  some short of money until their card top-up's webhook arrives, delivered twice as Stripe
  does), mixed with couriers confirming deliveries twice, buyers and admins completing orders
  (settlement: sellers paid, the site's commission), returns asked for while the order
  completes, return approvals clicked twice (refunds from the hold, or paid back by the seller
  and the site after completion), cancellations clicked twice racing a courier's claim;
* **auction**: bidders bidding on the same three lots at once (each bid held in escrow, the
  outbid leader's hold released), then the lots end, are closed three times at once with late
  bids arriving, and the winners' orders are completed twice at once (the winning hold captured
  to the seller and the site).

After each: no 5xx, every refusal in the API's one error shape with an expected code,
``assert_books_hold()`` (ledger = wallets, nothing negative, conservation), and the money
checked against the records: units sold == initial stock == units paid for, stock never below
zero, one credit per top-up, captures == the settled orders' and lots' amounts, a refund never
more than what was paid, every hold accounted for (released, captured or still backing an open
order or a leading bid), exactly one winner per lot.

Everything the tests commit is deleted afterwards (every row of the store's schema newer than
the marks taken before; the store's settings and invoice counters restored).
"""

from __future__ import annotations

import json
import traceback
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from saas.money import to_minor_units
from shared_apps.outbox.models import ProcessedTask
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.accounts.tokens import TenantAccessToken
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.models import Payment
from tenant_apps.store.auctions.models import Auction, Bid
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.demo import order_buy, order_walk
from tenant_apps.store.orders.models import DeliveryProof, Order, OrderItem, OrderStatus, WalletTopUp
from tenant_apps.store.orders.services import wallet_top_up_card_start
from tenant_apps.store.returns.models import ItemCondition, ReturnRequest, ReturnStatus
from tenant_apps.store.shop.models import StoreSettings
from tenant_apps.store.shop.services import store_settings
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind, Wallet
from tests.api import error_code
from tests.concurrency import in_thread
from tests.conftest import host_of
from tests.factories import CustomerFactory, ReturnRequestFactory, StoreProductFactory, UserFactory
from tests.factories.store_auctions import AuctionFactory, end_auction
from tests.money import Books, assert_books_hold, swarm
from tests.tenant_apps.payments.conftest import WEBHOOK, intent_event, sign

D = Decimal
ZERO = D("0.00")
OPERATIONS = 200
CENT = D("0.01")
#: No shrinking: a failing plan of 200 concurrent operations is reported as drawn (shrinking would
#: rerun the whole swarm many times, and its outcome depends on the threads' timing anyway).
UNSHRUNK = (Phase.explicit, Phase.reuse, Phase.generate)

# --------------------------------------------------------------------------------------------
# Committed rows: marks before, removal after
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """The highest ``id`` of every table of the store's schema (and of the public outbox), the
    store's settings and its invoice counters, and the time, before a test commits anything."""

    started_at: datetime
    ids: dict[str, int]
    public_ids: dict[str, int]
    settings_row: dict[str, Any]
    counters: list[tuple[int, int]]


def _id_tables(schema: str, prefix: str = "") -> list[str]:
    """The base tables of ``schema`` (names starting with ``prefix``) with an integer ``id``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = %s AND c.column_name = 'id' AND c.data_type IN ('integer', 'bigint')
              AND t.table_type = 'BASE TABLE' AND c.table_name LIKE %s
            ORDER BY c.table_name
            """,
            [schema, prefix + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _max_ids(schema: str, tables: list[str]) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{schema}"."{table}"')
            found[table] = int(cursor.fetchone()[0])
    return found


def take_marks(tenant: Tenant) -> Marks:
    """``Marks`` of ``tenant`` now (call on a thread of its own: ``in_thread``)."""
    from tenant_apps.payments.models import InvoiceCounter

    with tenant_context(tenant):
        row = store_settings()
        return Marks(
            started_at=timezone.now(),
            ids=_max_ids(tenant.schema_name, _id_tables(tenant.schema_name)),
            public_ids=_max_ids("public", _id_tables("public", "outbox_")),
            settings_row={"completion_wait_days": row.completion_wait_days},
            counters=list(InvoiceCounter.objects.values_list("pk", "value")),
        )


def _delete_newer(schema: str, marks: dict[str, int]) -> list[str]:
    """Delete the rows of ``marks``' tables newer than their mark, over as many passes as the
    foreign keys between them need; returns the tables that kept such rows."""
    left = dict(marks)
    for _ in range(10):
        stuck = {}
        for table, mark in left.items():
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f'DELETE FROM "{schema}"."{table}" WHERE id > %s', [mark])
            except DatabaseError:  # still named by a newer row of another table: next pass
                stuck[table] = mark
        if not stuck:
            return []
        left = stuck
    return list(left)


def remove_committed(tenant: Tenant, marks: Marks) -> None:
    """Delete every row committed in ``tenant`` (and its outbox messages and processed tasks) since
    ``marks``, and put its settings and invoice counters back (call through ``in_thread``)."""
    from tenant_apps.payments.models import InvoiceCounter

    with tenant_context(tenant):
        tables = _id_tables(tenant.schema_name)
        newer = {table: marks.ids.get(table, 0) for table in tables}
        stuck = _delete_newer(tenant.schema_name, newer)
        stuck += _delete_newer("public", marks.public_ids)
        ProcessedTask.objects.filter(schema_name=tenant.schema_name, processed_at__gte=marks.started_at).delete()
        StoreSettings.objects.filter(pk=1).update(**marks.settings_row)
        for pk, value in marks.counters:
            InvoiceCounter.objects.filter(pk=pk).update(value=value)
        assert stuck == [], f"rows the test committed could not be removed from {stuck}"


@pytest.fixture
def site(gamma: Tenant) -> Iterator[Tenant]:
    """The ``gamma`` store; after the test (whose examples each remove what they committed), its
    books must still hold."""
    yield gamma
    books_hold_in(gamma)
    tenant_connection().set_schema_to_public()


def books_hold_in(tenant: Tenant) -> Books:
    """``assert_books_hold()`` in ``tenant``, on a connection of its own (sees every commit)."""

    def check() -> Books:
        with tenant_context(tenant):
            return assert_books_hold()

    books: Books = in_thread(check)
    return books


def committed(tenant: Tenant, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in ``tenant`` on a connection of its own: what it writes is committed."""

    def inside() -> Any:
        with tenant_context(tenant):
            return fn()

    return in_thread(inside)


def wait_zero_days() -> None:
    """Orders complete as soon as they are delivered (the store's ``completion_wait_days`` is 0)."""
    StoreSettings.objects.filter(pk=store_settings().pk).update(completion_wait_days=0)


# --------------------------------------------------------------------------------------------
# The API, as concurrent users see it
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One operation's last answer: ``name`` of the operation, the object it acted on
    (``target``), the HTTP ``status``, the error ``code`` (``None`` for 2xx) and the JSON body."""

    name: str
    target: int
    status: int
    code: str | None
    body: Any = None

    @property
    def ok(self) -> bool:
        return self.status < 300


def token_of(user: User) -> str:
    """An access token of ``user`` for the current tenant."""
    return str(TenantAccessToken.for_user(user))


def client_of(tenant: Tenant, token: str) -> APIClient:
    """An API client of ``tenant`` acting with ``token``; a server error is an answer (5xx), not an
    exception re-raised into another thread's client (the test client's signal is process-wide)."""
    client = APIClient(HTTP_HOST=host_of(tenant))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.raise_request_exception = False
    return client


def answer(name: str, target: int, response: Any) -> Reply:
    """The ``Reply`` of ``response``: never a 5xx, and every refusal in the one error shape.

    The request's connection goes back to the pool first, as a server does at the end of each
    request (the test client keeps it: 12 threads holding one each would wait, and time out, for
    the process's ``DB_POOL_MAX_SIZE`` of 10)."""
    connections.close_all()
    status = int(response.status_code)
    if status >= 500:  # the server's exception, so that a failure says what broke
        trace = "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
        raise AssertionError(f"{name} on {target}: HTTP {status}: {response.content!r}\n{trace}")
    body = response.json() if response.content else None
    code = error_code(response) if status >= 400 else None
    return Reply(name=name, target=target, status=status, code=code, body=body)


def post(tenant: Tenant, token: str, name: str, target: int, path: str, data: Any = None) -> Reply:
    """``POST path`` (JSON ``data``) as ``token``'s user."""
    return answer(name, target, client_of(tenant, token).post(path, data or {}, format="json"))


def call(tenant: Tenant, token: str, name: str, target: int, path: str, data: Any = None) -> Callable[[], Reply]:
    """The operation ``post(tenant, token, name, target, path, data)``, to run later."""
    return lambda: post(tenant, token, name, target, path, data)


def replies_of(results: list[Any]) -> list[Reply]:
    """The swarm's results, after checking every operation answered (none raised)."""
    raised = [r for r in results if not isinstance(r, Reply)]
    assert raised == [], raised[:5]
    return [r for r in results if isinstance(r, Reply)]


def codes_by_name(replies: list[Reply]) -> dict[str, Counter[str]]:
    """``{operation: Counter(code or "ok")}``."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for reply in replies:
        found[reply.name][reply.code or "ok"] += 1
    return found


def entries(prefix: str) -> list[LedgerEntry]:
    """Ledger entries whose reference starts with ``prefix`` (current schema)."""
    return list(LedgerEntry.objects.filter(reference__startswith=prefix))


def entry(reference: str) -> list[LedgerEntry]:
    """Ledger entries with exactly ``reference`` (current schema)."""
    return list(LedgerEntry.objects.filter(reference=reference))


def moved(rows: list[LedgerEntry], *, field_name: str = "balance_delta") -> Decimal:
    """The sum of ``field_name`` over ``rows``."""
    return sum((getattr(row, field_name) for row in rows), ZERO)


# --------------------------------------------------------------------------------------------
# (a) Checkout, top-ups, delivery, settlement, returns
# --------------------------------------------------------------------------------------------

PRODUCTS = 3
SHIPPED, DELIVERED, OPEN_RETURNS, SETTLED_RETURNS, CREATED, TOP_UPS = 5, 5, 5, 4, 5, 16
#: Operations each group adds: shipped (confirm x2, complete x2), delivered (return, complete x2),
#: returns on delivered orders (approve x2, complete), returns on completed orders (approve x2),
#: created orders (cancel x2, claim), top-ups (webhook x2); checkouts fill the rest up to 200.
OTHER_OPERATIONS = SHIPPED * 4 + DELIVERED * 3 + OPEN_RETURNS * 3 + SETTLED_RETURNS * 2 + CREATED * 3 + TOP_UPS * 2
CHECKOUTS = OPERATIONS - OTHER_OPERATIONS


@dataclass(frozen=True)
class Checkout:
    """A buyer of ``quantity`` units of racing product ``product`` whose wallet holds the cost
    (``rich``), a cent less than it (``poor``), or that and a card top-up covering the rest whose
    webhook races the checkout (``topped``, with ``top_up`` more)."""

    product: int
    quantity: int
    funding: str
    top_up: Decimal = ZERO


@dataclass(frozen=True)
class ShopPlan:
    """What hypothesis draws for the checkout test."""

    stocks: tuple[int, ...]
    prices: tuple[Decimal, ...]
    order_price: Decimal
    checkouts: tuple[Checkout, ...]
    order: tuple[int, ...]  # a permutation of range(200): the order the operations start in


def money(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Amounts from ``low`` to ``high`` cents."""
    return st.integers(low, high).map(lambda cents: (D(cents) / 100).quantize(CENT))


@st.composite
def shop_plans(draw: st.DrawFn) -> ShopPlan:
    """A ``ShopPlan``: each racing product has more buyers of one unit with the money than units
    (so every product sells out, whatever the order), then buyers of 1-3 units of any product,
    rich, poor or topped up (exactly ``TOP_UPS`` of these)."""
    stocks = tuple(draw(st.lists(st.integers(1, 6), min_size=PRODUCTS, max_size=PRODUCTS)))
    prices = tuple(draw(st.lists(money(100, 9_999), min_size=PRODUCTS, max_size=PRODUCTS)))
    sure = [Checkout(product=i, quantity=1, funding="rich") for i, stock in enumerate(stocks) for _ in range(stock + 1)]
    rest = CHECKOUTS - len(sure) - TOP_UPS
    drawn = draw(
        st.lists(
            st.tuples(st.integers(0, PRODUCTS - 1), st.integers(1, 3), st.sampled_from(["rich", "poor"])),
            min_size=rest,
            max_size=rest,
        )
    )
    topped = draw(
        st.lists(st.tuples(st.integers(0, PRODUCTS - 1), money(1, 5_000)), min_size=TOP_UPS, max_size=TOP_UPS)
    )
    checkouts = (
        sure
        + [Checkout(product=p, quantity=q, funding=f) for p, q, f in drawn]
        + [Checkout(product=p, quantity=1, funding="topped", top_up=amount) for p, amount in topped]
    )
    return ShopPlan(
        stocks=stocks,
        prices=prices,
        order_price=draw(money(500, 5_000)),
        checkouts=tuple(checkouts),
        order=tuple(draw(st.permutations(range(OPERATIONS)))),
    )


@dataclass
class Shop:
    """The committed rows of one checkout example (ids and tokens: threads read the rest)."""

    admin_token: str
    racing: list[int]
    buyers: list[tuple[int, str]] = field(default_factory=list)  # checkout buyers (id, token), plan order
    events: list[tuple[int, str]] = field(default_factory=list)  # (top-up id, signed event body)
    shipped: list[tuple[int, str, str, str]] = field(default_factory=list)  # order, buyer, courier tokens, pin
    delivered: list[tuple[int, str, int]] = field(default_factory=list)  # order, buyer token, its item
    open_returns: list[tuple[int, int, str]] = field(default_factory=list)  # return, order, buyer token
    settled_returns: list[int] = field(default_factory=list)
    created: list[tuple[int, str]] = field(default_factory=list)  # order, buyer token
    claimer: str = ""
    orders_before: int = 0  # the highest order id before the swarm
    stock_before: dict[int, int] = field(default_factory=dict)  # every product of the example


def _without_stripe() -> Any:
    """Stripe stood in for while top-ups start (as ``StripePaymentFactory`` does): an intent
    ``pi_mi_<uuid>`` comes back without a network call."""

    def intent(**_: Any) -> stripe_gateway.Intent:
        name = f"pi_mi_{uuid.uuid4().hex}"
        return stripe_gateway.Intent(id=name, client_secret=f"{name}_secret", status="requires_payment_method", data={})

    return mock.patch.multiple(
        stripe_gateway,
        require_payments_enabled=lambda: None,
        payment_intent_create=intent,
        customer_create=lambda **_: f"cus_mi_{uuid.uuid4().hex[:12]}",
    )


def succeeded_event(tenant: Tenant, top_up: WalletTopUp) -> str:
    """The JSON of Stripe's ``payment_intent.succeeded`` event for ``top_up``'s card payment."""
    payment = Payment.objects.get(invoice_id=top_up.invoice_id)
    minor = to_minor_units(payment.amount, top_up.currency)
    intent = {
        "id": payment.stripe_payment_intent_id,
        "object": "payment_intent",
        "amount": minor,
        "amount_received": minor,
        "currency": top_up.currency.lower(),
        "status": "succeeded",
        "metadata": {"tenant": tenant.schema_name, "invoice": str(payment.invoice_id), "payment": str(payment.pk)},
    }
    return json.dumps(intent_event(intent, "payment_intent.succeeded", event_id=f"evt_mi_{uuid.uuid4().hex}"))


def set_up_shop(tenant: Tenant, plan: ShopPlan) -> Shop:
    """Commit the example's store (in ``tenant``'s schema): sellers, couriers, the racing products,
    the orders and returns the other operations act on, and the checkout buyers."""
    wait_zero_days()
    tag = uuid.uuid4().hex[:8]
    admin = User.objects.get(email=f"admin@{tenant.schema_name}.test")
    sellers = [UserFactory(email=f"mi-{tag}-seller{i}@gamma.test", roles=["seller"]) for i in range(2)]
    couriers = [UserFactory(email=f"mi-{tag}-courier{i}@gamma.test", roles=["delivery"]) for i in range(3)]
    racing = [
        StoreProductFactory(seller=sellers[i % 2], price=plan.prices[i], stock=plan.stocks[i], approved=True)
        for i in range(PRODUCTS)
    ]
    shop = Shop(admin_token=token_of(admin), racing=[p.pk for p in racing], claimer=token_of(couriers[2]))
    shelf = [StoreProductFactory(seller=s, price=plan.order_price, stock=100, approved=True) for s in sellers]
    count = iter(range(10_000))

    def order(status: str, quantity: int, courier: User | None = None) -> tuple[Order, User]:
        n = next(count)
        buyer = CustomerFactory(email=f"mi-{tag}-b{n}@gamma.test")
        made = order_buy(buyer=buyer, lines=[(shelf[n % 2], quantity)])
        return order_walk(order=made, to=status, courier=courier or couriers[1]), buyer

    for _ in range(SHIPPED):
        made, buyer = order(OrderStatus.SHIPPED, 1, couriers[0])
        pin = DeliveryProof.objects.get(order=made).pin
        shop.shipped.append((made.pk, token_of(buyer), token_of(couriers[0]), pin))
    for _ in range(DELIVERED):
        made, buyer = order(OrderStatus.DELIVERED, 2)
        shop.delivered.append((made.pk, token_of(buyer), made.items.get().pk))
    for n in range(OPEN_RETURNS):
        made, buyer = order(OrderStatus.DELIVERED, 2)
        condition = ItemCondition.RESELLABLE if n % 2 else ItemCondition.DAMAGED
        back = ReturnRequestFactory(order=made, lines=[(made.items.get(), 1)], inspected=True, condition=condition)
        shop.open_returns.append((back.pk, made.pk, token_of(buyer)))
    for n in range(SETTLED_RETURNS):
        made, buyer = order(OrderStatus.COMPLETED, 2)
        lines = [(made.items.get(), 1 + n % 2)]
        shop.settled_returns.append(ReturnRequestFactory(order=made, lines=lines, inspected=True).pk)
    for _ in range(CREATED):
        made, buyer = order(OrderStatus.CREATED, 1)
        shop.created.append((made.pk, token_of(buyer)))
    with _without_stripe():
        for n, plan_line in enumerate(plan.checkouts):
            cost = plan.prices[plan_line.product] * plan_line.quantity
            funds = cost if plan_line.funding == "rich" else cost - CENT
            buyer = CustomerFactory(email=f"mi-{tag}-c{n}@gamma.test", funds=funds)
            shop.buyers.append((buyer.pk, token_of(buyer)))
            if plan_line.funding == "topped":
                started = wallet_top_up_card_start(user=buyer, amount=plan_line.top_up)
                shop.events.append((started.top_up.pk, succeeded_event(tenant, started.top_up)))
    shop.orders_before = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    products = [*racing, *shelf]
    shop.stock_before = dict(Product.objects.filter(pk__in=[p.pk for p in products]).values_list("pk", "stock"))
    return shop


def shop_operations(tenant: Tenant, plan: ShopPlan, shop: Shop) -> list[Callable[[], Reply]]:
    """The 200 operations of ``plan`` on ``shop``, in the plan's order."""
    ops: list[Callable[[], Reply]] = []

    def checkout(n: int) -> Callable[[], Reply]:
        line, token = plan.checkouts[n], shop.buyers[n][1]

        def run() -> Reply:
            client = client_of(tenant, token)
            body = {"product": shop.racing[line.product], "quantity": line.quantity}
            added = answer("checkout", n, client.post("/api/v1/cart/items/", body, format="json"))
            if not added.ok:
                return added
            return answer("checkout", n, client.post("/api/v1/orders/checkout/", {}, format="json"))

        return run

    def webhook(top_up: int, body: str) -> Callable[[], Reply]:
        def run() -> Reply:
            client = APIClient(HTTP_HOST=host_of(tenant))
            client.raise_request_exception = False
            response = client.generic(
                "POST", WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
            )
            return answer("webhook", top_up, response)

        return run

    def act(token: str, name: str, target: int, path: str, data: Any = None) -> Callable[[], Reply]:
        return call(tenant, token, name, target, path, data)

    ops += [checkout(n) for n in range(len(plan.checkouts))]
    for top_up, body in shop.events:
        ops += [webhook(top_up, body), webhook(top_up, body)]
    for pk, buyer, courier, pin in shop.shipped:
        ops += [act(courier, "confirm", pk, f"/api/v1/orders/{pk}/proof/confirm/", {"token": pin})] * 2
        ops += [act(buyer, "complete", pk, f"/api/v1/orders/{pk}/complete/")]
        ops += [act(shop.admin_token, "complete", pk, f"/api/v1/orders/{pk}/complete/")]
    for pk, buyer, item in shop.delivered:
        lines = {"order": pk, "items": [{"order_item": item, "quantity": 1}], "reason": "Too small."}
        ops += [act(buyer, "return", pk, "/api/v1/returns/", lines)]
        ops += [act(buyer, "complete", pk, f"/api/v1/orders/{pk}/complete/")] * 2
    for back, pk, buyer in shop.open_returns:
        ops += [act(shop.admin_token, "approve", back, f"/api/v1/returns/{back}/approve/")] * 2
        ops += [act(buyer, "complete", pk, f"/api/v1/orders/{pk}/complete/")]
    for back in shop.settled_returns:
        ops += [act(shop.admin_token, "approve", back, f"/api/v1/returns/{back}/approve/")] * 2
    for pk, buyer in shop.created:
        ops += [act(buyer, "cancel", pk, f"/api/v1/orders/{pk}/cancel/")] * 2
        ops += [act(shop.claimer, "claim", pk, f"/api/v1/delivery/orders/{pk}/claim/")]
    assert len(ops) == OPERATIONS
    return [ops[i] for i in plan.order]


#: The refusals each operation may meet (anything else fails the test).
SHOP_REFUSALS = {
    "checkout": {"insufficient_stock", "insufficient_funds"},
    "webhook": set(),
    "confirm": {"invalid_status_transition"},
    # completion_not_due: asked while the courier's confirmation held the order, so before its
    # delivery time (the wait is 0 days here, so "before" is the milliseconds of that lock wait)
    "complete": {"invalid_status_transition", "return_pending", "completion_not_due"},
    "return": set(),
    "approve": {"invalid_status_transition"},
    "cancel": {"invalid_status_transition"},
    "claim": {"invalid_status_transition", "not_found"},  # 404: cancelled, no longer on offer
}


@dataclass(frozen=True)
class ShopRecords:
    """What the store's records and ledger say after the swarm (read on a connection of its own)."""

    stock: dict[int, int]
    sold: dict[int, int]  # racing product -> units in orders made in the swarm
    new_orders: list[tuple[int, int, int, int, Decimal, Decimal]]  # order, buyer, product, qty, price, total
    holds: dict[int, Decimal]  # order -> its hold entry's amount
    orders: dict[int, tuple[str, Decimal, int]]  # every order of the example -> (status, total, buyer)
    kept: dict[int, Decimal]  # order -> value of the units not returned before completion
    captured: dict[int, Decimal]  # order -> sellers' captures + commission
    commission: dict[int, Decimal]
    released: dict[int, Decimal]  # order -> held money released to the buyer (cancel, returns)
    refunded: dict[int, Decimal]  # order -> refunds to the buyer after completion
    returns: dict[int, tuple[str, Decimal | None, Decimal, int]]  # return -> (status, refund, value, order)
    restocked: dict[int, int]  # product -> units back from approved resellable returns and cancels
    held: dict[int, Decimal]  # buyer -> held_balance
    top_ups: dict[int, tuple[Decimal, bool, Decimal]]  # top-up -> (amount, credited, credits in ledger)


def read_shop(shop: Shop) -> ShopRecords:
    """The ``ShopRecords`` of ``shop`` (current schema)."""
    products = list(shop.stock_before)
    stock = dict(Product.objects.filter(pk__in=products).values_list("pk", "stock"))
    new_items = OrderItem.objects.filter(order_id__gt=shop.orders_before).select_related("order")
    sold: dict[int, int] = defaultdict(int)
    new_orders = []
    for item in new_items:
        assert item.product_id is not None
        sold[item.product_id] += item.quantity
        total = item.order.total
        new_orders.append((item.order_id, item.order.buyer_id, item.product_id, item.quantity, item.unit_price, total))
    example_orders = Order.objects.filter(items__product_id__in=products).distinct()
    orders = {o.pk: (o.status, o.total, o.buyer_id) for o in example_orders}
    kept: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item in OrderItem.objects.filter(order_id__in=orders):
        kept[item.order_id] += item.unit_price * (item.quantity - item.returned_quantity)
    holds, captured, commission, released, refunded = {}, {}, {}, {}, {}
    for pk in orders:
        holds[pk] = -moved(entry(f"order:{pk}:hold"))
        sellers = entries(f"order:{pk}:seller:")
        commission[pk] = -moved(entry(f"order:{pk}:commission"), field_name="held_delta")
        captured[pk] = moved(sellers) + commission[pk]
        released[pk] = moved(entry(f"order:{pk}:release"))
        refunded[pk] = ZERO
    returns = {}
    restocked: dict[int, int] = defaultdict(int)
    for back in ReturnRequest.objects.filter(order_id__in=orders).prefetch_related("items__order_item"):
        value = sum((line.order_item.unit_price * line.quantity for line in back.items.all()), ZERO)
        returns[back.pk] = (back.status, back.refund_amount, value, back.order_id)
        buyer_wallet = Wallet.objects.get(user_id=back.buyer_id)
        to_buyer = [e for e in entries(f"return:{back.pk}:") if e.wallet_id == buyer_wallet.pk]
        if back.status == ReturnStatus.APPROVED:
            released[back.order_id] += moved([e for e in to_buyer if e.kind == LedgerEntryKind.ESCROW_RELEASE])
            refunded[back.order_id] += moved([e for e in to_buyer if e.kind == LedgerEntryKind.REFUND])
            for line in back.items.all():
                if line.condition == ItemCondition.RESELLABLE and line.order_item.product_id:
                    restocked[line.order_item.product_id] += line.quantity
        else:
            assert to_buyer == [], f"return {back.pk} ({back.status}) moved money"
    for item in OrderItem.objects.filter(order_id__in=orders, order__status=OrderStatus.CANCELLED):
        if item.product_id:
            restocked[item.product_id] += item.quantity
    buyers = {buyer for _, _, buyer in orders.values()} | {pk for pk, _ in shop.buyers}
    held = dict(Wallet.objects.filter(user_id__in=buyers).values_list("user_id", "held_balance"))
    top_ups = {}
    for pk, _ in shop.events:
        row = WalletTopUp.objects.get(pk=pk)
        top_ups[pk] = (row.amount, row.credited_at is not None, moved(entry(f"wallet-top-up:{pk}")))
    return ShopRecords(
        stock=stock,
        sold=dict(sold),
        new_orders=new_orders,
        holds=holds,
        orders=orders,
        kept=dict(kept),
        captured=captured,
        commission=commission,
        released=released,
        refunded=refunded,
        returns=returns,
        restocked=dict(restocked),
        held=held,
        top_ups=top_ups,
    )


OPEN_ORDER = (OrderStatus.CREATED, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


def check_shop(
    plan: ShopPlan, shop: Shop, replies: list[Reply], before: Books, after: Books, found: ShopRecords
) -> None:
    """Every assertion of the checkout test (see the module docstring)."""
    codes = codes_by_name(replies)
    unexpected = {
        name: {code: n for code, n in counts.items() if code != "ok" and code not in SHOP_REFUSALS[name]}
        for name, counts in codes.items()
    }
    assert {name: c for name, c in unexpected.items() if c} == {}, codes
    # the conflicts whose outcome is known: one confirmation, one approval, one cancellation
    # each (the second answers 409), every return asked for accepted, every webhook answered 200
    assert codes["confirm"] == Counter({"ok": SHIPPED, "invalid_status_transition": SHIPPED})
    returns_count = OPEN_RETURNS + SETTLED_RETURNS
    assert codes["approve"] == Counter({"ok": returns_count, "invalid_status_transition": returns_count})
    assert codes["cancel"] == Counter({"ok": CREATED, "invalid_status_transition": CREATED})
    assert codes["return"] == Counter({"ok": DELIVERED}) and codes["webhook"] == Counter({"ok": 2 * TOP_UPS})
    # a buyer with the money for one unit never lost it to anything but the stock running out
    for reply in replies:
        if reply.name == "checkout" and plan.checkouts[reply.target].funding == "rich":
            assert reply.code in (None, "insufficient_stock"), reply
    # stock: every racing product sold out exactly (units sold == the initial stock), never below zero
    for index, pk in enumerate(shop.racing):
        assert found.stock[pk] == 0, (index, found.stock[pk])
        assert found.sold.get(pk, 0) == plan.stocks[index] == shop.stock_before[pk]
    for pk, before_stock in shop.stock_before.items():
        assert found.stock[pk] >= 0
        if pk not in shop.racing:
            assert found.stock[pk] == before_stock + found.restocked.get(pk, 0), pk
    # units paid: each order made in the swarm is one checkout's, priced and held in full
    succeeded = [r for r in replies if r.name == "checkout" and r.ok]
    assert len(succeeded) == len(found.new_orders) == len({o[0] for o in found.new_orders})
    assert {r.body["id"] for r in succeeded} == {o[0] for o in found.new_orders}
    for pk, buyer, product, quantity, price, total in found.new_orders:
        line = plan.checkouts[[b for b, _ in shop.buyers].index(buyer)]
        assert product == shop.racing[line.product] and quantity == line.quantity
        assert price == plan.prices[line.product] and total == price * quantity == found.holds[pk]
    for pk, (status, total, _) in found.orders.items():
        assert found.holds[pk] == total, pk  # every order's total was held once
        # refunds never exceed what was paid; a completed order captured exactly its kept units
        assert found.released[pk] + found.refunded[pk] <= total, pk
        if status == OrderStatus.COMPLETED:
            assert found.captured[pk] == found.kept[pk] == total - found.released[pk], pk
        else:
            assert found.captured[pk] == ZERO and found.refunded[pk] == ZERO, pk
        if status == OrderStatus.CANCELLED:
            assert found.released[pk] == total, pk
    # every buyer's held money is exactly what backs their open orders
    backing: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for pk, (status, total, buyer) in found.orders.items():
        if status in OPEN_ORDER:
            backing[buyer] += total - found.released[pk]
    assert {b: h for b, h in found.held.items() if h} == {b: v for b, v in backing.items() if v}
    # approved returns refunded exactly their units' value, to the buyer, once
    for pk, (status, refund, value, _) in found.returns.items():
        if status == ReturnStatus.APPROVED:
            assert refund == value, pk
    approved_value = sum((v for s, _, v, _ in found.returns.values() if s == ReturnStatus.APPROVED), ZERO)
    assert approved_value == sum(found.refunded.values(), ZERO) + sum(
        (found.released[pk] for pk, (s, _, _) in found.orders.items() if s != OrderStatus.CANCELLED), ZERO
    )
    # top-ups: each credited once, whatever the duplicate deliveries
    assert all(credited and ledger == amount for amount, credited, ledger in found.top_ups.values()), found.top_ups
    assert after.flow_since(before, LedgerEntryKind.TOP_UP) == sum((a for a, _, _ in found.top_ups.values()), ZERO)
    # the site's income in the swarm: the commissions of the orders completed in it
    site_in = -after.flow_since(before, LedgerEntryKind.ESCROW_CAPTURE)
    completed_in_swarm = {r.target for r in replies if r.name == "complete" and r.ok}
    assert site_in == sum((found.commission[pk] for pk in completed_in_swarm), ZERO)
    assert after.flow_since(before, LedgerEntryKind.PAYMENT) == ZERO
    assert after.flow_since(before, LedgerEntryKind.PAYOUT) == ZERO


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=UNSHRUNK,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=shop_plans())
def test_racing_checkouts_top_ups_settlements_and_refunds_keep_the_books(site: Tenant, plan: ShopPlan) -> None:
    # given: the example's store, committed, and the books before
    marks = in_thread(lambda: take_marks(site))
    try:
        shop: Shop = committed(site, lambda: set_up_shop(site, plan))
        before = books_hold_in(site)
        # when: 200 conflicting operations, 12 at a time
        replies = replies_of(swarm(shop_operations(site, plan, shop), tenant=site))
        # then
        after = books_hold_in(site)
        found: ShopRecords = committed(site, lambda: read_shop(shop))
        check_shop(plan, shop, replies, before, after, found)
    finally:
        in_thread(lambda: remove_committed(site, marks))
        tenant_connection().set_schema_to_public()


# --------------------------------------------------------------------------------------------
# (b) Bids, escrow holds and releases, closing, settlement
# --------------------------------------------------------------------------------------------

LOTS, BIDDERS, RICH = 3, 8, 4
INCREMENT = D("1.00")
LATE_BIDS = 2  # per lot, racing the closings
CLOSINGS = 3  # per lot


@dataclass(frozen=True)
class AuctionPlan:
    """What hypothesis draws for the auction test: each lot's starting price, the poor bidders'
    funds (the first ``RICH`` bidders can hold their highest bid on every lot at once), and 200
    bids ``(bidder, lot, amount)`` in the order they start."""

    starting: tuple[Decimal, ...]
    poor_funds: tuple[Decimal, ...]
    bids: tuple[tuple[int, int, Decimal], ...]


@st.composite
def auction_plans(draw: st.DrawFn) -> AuctionPlan:
    """An ``AuctionPlan``: whole-unit bids from a lot's starting price to 60 above it, the lots
    taking turns (each gets a third of the bids), the bidders and amounts drawn."""
    starting = tuple(D(n).quantize(CENT) for n in draw(st.lists(st.integers(5, 50), min_size=LOTS, max_size=LOTS)))
    poor = tuple(draw(st.lists(money(1_000, 8_000), min_size=BIDDERS - RICH, max_size=BIDDERS - RICH)))
    raw = draw(
        st.lists(st.tuples(st.integers(0, BIDDERS - 1), st.integers(0, 60)), min_size=OPERATIONS, max_size=OPERATIONS)
    )
    bids = tuple((bidder, n % LOTS, starting[n % LOTS] + D(step)) for n, (bidder, step) in enumerate(raw))
    return AuctionPlan(starting=starting, poor_funds=poor, bids=bids)


@dataclass
class Lots:
    """The committed rows of one auction example."""

    admin_token: str
    seller: int
    auctions: list[int]
    bidders: list[tuple[int, str]]
    funds: list[Decimal]


def set_up_lots(tenant: Tenant, plan: AuctionPlan) -> Lots:
    """Commit the seller's live lots and the funded bidders (each with a delivery location)."""
    wait_zero_days()
    tag = uuid.uuid4().hex[:8]
    admin = User.objects.get(email=f"admin@{tenant.schema_name}.test")
    seller = UserFactory(email=f"mi-{tag}-seller@gamma.test", roles=["seller"])
    auctions = [
        AuctionFactory(seller=seller, live=True, starting_price=p, min_increment=INCREMENT) for p in plan.starting
    ]
    rich = LOTS * (max(plan.starting) + 60)
    funds = [rich] * RICH + list(plan.poor_funds)
    bidders = [CustomerFactory(email=f"mi-{tag}-bidder{i}@gamma.test", funds=f) for i, f in enumerate(funds)]
    return Lots(
        admin_token=token_of(admin),
        seller=seller.pk,
        auctions=[a.pk for a in auctions],
        bidders=[(b.pk, token_of(b)) for b in bidders],
        funds=funds,
    )


def bid(tenant: Tenant, lots: Lots, bidder: int, lot: int, amount: Decimal) -> Callable[[], Reply]:
    """Bidder ``bidder`` bids ``amount`` on lot ``lot`` through the API."""
    pk, token = lots.auctions[lot], lots.bidders[bidder][1]
    return lambda: post(tenant, token, "bid", lot, f"/api/v1/auctions/{pk}/bids/", {"amount": str(amount)})


@dataclass(frozen=True)
class LotRecords:
    """What an auction and the ledger say (read on a connection of its own)."""

    price: Decimal | None
    leader: int | None
    bids_count: int
    bids: list[tuple[int, int, Decimal]]  # (bid, bidder, amount)
    holds: dict[int, Decimal]  # bid -> its hold
    releases: dict[int, Decimal]  # bid -> its release
    order: int | None
    status: str


def read_lots(lots: Lots) -> tuple[list[LotRecords], dict[int, tuple[Decimal, Decimal]]]:
    """Each lot's ``LotRecords`` and ``{user: (balance, held)}`` of the bidders and the seller."""
    found = []
    for pk in lots.auctions:
        auction = Auction.objects.get(pk=pk)
        rows = list(Bid.objects.filter(auction_id=pk).values_list("pk", "bidder_id", "amount"))
        holds = {b: -moved(entry(f"auction:{pk}:bid:{b}")) for b, _, _ in rows}
        releases = {b: moved(entry(f"auction:{pk}:bid:{b}:release")) for b, _, _ in rows}
        found.append(
            LotRecords(
                price=auction.current_price,
                leader=auction.leader_id,
                bids_count=auction.bids_count,
                bids=rows,
                holds=holds,
                releases=releases,
                order=auction.order_id,
                status=auction.status,
            )
        )
    users = [pk for pk, _ in lots.bidders] + [lots.seller]
    wallets = {w.user_id: (w.balance, w.held_balance) for w in Wallet.objects.filter(user_id__in=users)}
    return found, wallets


def check_bidding(plan: AuctionPlan, lots: Lots, replies: list[Reply], records: list[LotRecords], wallets: Any) -> None:
    """The bids' assertions: refusals expected, one leader per lot at the highest accepted bid,
    each bidder's held money exactly the lots they lead, every outbid hold released once."""
    codes = codes_by_name(replies)
    assert set(codes["bid"]) <= {"ok", "bid_too_low", "insufficient_funds"}, codes
    by_lot: dict[int, list[Decimal]] = defaultdict(list)
    for reply, (bidder, lot, amount) in zip(replies, plan.bids, strict=True):
        assert reply.target == lot
        if bidder < RICH:
            assert reply.code != "insufficient_funds", (reply, bidder)  # the rich can hold every bid
        if reply.ok:
            by_lot[lot].append(amount)
            assert D(reply.body["amount"]) == amount
    leading: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for lot, record in enumerate(records):
        accepted = by_lot[lot]
        richest = max((a for b, lt, a in plan.bids if lt == lot and b < RICH), default=None)
        assert record.bids_count == len(record.bids) == len(accepted)
        assert sorted(a for _, _, a in record.bids) == sorted(accepted)
        assert len(set(accepted)) == len(accepted)  # one bid per amount
        if not accepted:
            assert record.price is None and record.leader is None and richest is None
            continue
        assert record.price == max(accepted) <= max(a for _, lt, a in plan.bids if lt == lot)
        if richest is not None:
            assert record.price >= richest  # a rich bidder's bid loses only to one as high
        winning = [b for b in record.bids if b[2] == record.price]
        assert len(winning) == 1 and winning[0][1] == record.leader
        for pk, _, amount in record.bids:  # every bid was held; all but the leader's released, once
            assert record.holds[pk] == amount
            assert record.releases[pk] == (ZERO if pk == winning[0][0] else amount), pk
        leading[record.leader] += record.price
    for index, (user, _) in enumerate(lots.bidders):
        balance, held = wallets.get(user, (lots.funds[index], ZERO))
        assert held == leading[user] and balance + held == lots.funds[index], user


def settle_lots(tenant: Tenant, lots: Lots, plan: AuctionPlan) -> list[Reply]:
    """End the lots, close each three times at once while late bids arrive, walk the winners'
    orders to delivery, and complete each twice at once (the buyer and an admin)."""

    def end_all() -> None:
        for pk in lots.auctions:
            end_auction(Auction.objects.get(pk=pk))

    committed(tenant, end_all)
    closing: list[Callable[[], Reply]] = []
    for lot, pk in enumerate(lots.auctions):
        closing += [call(tenant, lots.admin_token, "close", lot, f"/api/v1/auctions/{pk}/close/")] * CLOSINGS
        late = plan.starting[lot] + 100
        closing += [bid(tenant, lots, b, lot, late + b) for b in range(LATE_BIDS)]
    replies = replies_of(swarm(closing, tenant=tenant))

    def deliver() -> list[tuple[int, str]]:
        courier = UserFactory(email=f"mi-{uuid.uuid4().hex[:8]}-courier@gamma.test", roles=["delivery"])
        orders = []
        for auction in Auction.objects.filter(pk__in=lots.auctions, order__isnull=False).select_related("order"):
            assert auction.order is not None
            order_walk(order=auction.order, to=OrderStatus.DELIVERED, courier=courier)
            orders.append((auction.order.pk, token_of(auction.order.buyer)))
        return orders

    completing: list[Callable[[], Reply]] = []
    for pk, buyer in committed(tenant, deliver):
        path = f"/api/v1/orders/{pk}/complete/"
        completing += [call(tenant, token, "complete", pk, path) for token in (buyer, lots.admin_token)]
    return replies + replies_of(swarm(completing, tenant=tenant))


def check_settlement(
    lots: Lots,
    bidding: list[LotRecords],
    replies: list[Reply],
    records: list[LotRecords],
    wallets: dict[int, tuple[Decimal, Decimal]],
    settled: dict[int, tuple[str, Decimal, int, Decimal, Decimal]],
    before: Books,
    after: Books,
) -> None:
    """Settlement's assertions: exactly one winner (one order) per lot with bids, the winner's hold
    captured to the seller and the site, every loser's hold released, nothing else moved."""
    codes = codes_by_name(replies)
    assert codes["close"] == Counter({"ok": LOTS * CLOSINGS}), codes
    assert codes["bid"] == Counter({"auction_not_live": LOTS * LATE_BIDS}), codes
    assert set(codes["complete"]) == {"ok"}, codes  # completing twice is idempotent
    won: dict[int, Decimal] = defaultdict(lambda: ZERO)
    net_total = commission_total = ZERO
    for early, record in zip(bidding, records, strict=True):
        assert record.status == "closed"
        assert (record.price, record.leader, record.bids) == (early.price, early.leader, early.bids)
        assert record.releases == early.releases  # no hold released twice, none after the end
        if early.price is None:
            assert record.order is None
            continue
        assert record.order is not None
        status, total, buyer, net, commission = settled[record.order]
        assert (status, total, buyer) == (OrderStatus.COMPLETED, early.price, early.leader)
        assert net + commission == total  # the winning hold, captured in full
        won[buyer] += total
        net_total += net
        commission_total += commission
    for index, (user, _) in enumerate(lots.bidders):
        balance, held = wallets.get(user, (lots.funds[index], ZERO))
        assert (balance, held) == (lots.funds[index] - won[user], ZERO), user
    assert wallets.get(lots.seller, (ZERO, ZERO)) == (net_total, ZERO)
    # the site's income is the commissions; captures == the lots' amounts
    assert -after.flow_since(before, LedgerEntryKind.ESCROW_CAPTURE) == commission_total
    assert net_total + commission_total == sum((r.price or ZERO for r in records), ZERO)


def read_settled(lots: Lots) -> dict[int, tuple[str, Decimal, int, Decimal, Decimal]]:
    """``{order: (status, total, buyer, paid to the seller, commission)}`` of the lots' orders."""
    found = {}
    for order in Order.objects.filter(pk__in=Auction.objects.filter(pk__in=lots.auctions).values("order_id")):
        net = moved(entries(f"order:{order.pk}:seller:"))
        commission = -moved(entry(f"order:{order.pk}:commission"), field_name="held_delta")
        found[order.pk] = (order.status, order.total, order.buyer_id, net, commission)
    return found


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    phases=UNSHRUNK,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(plan=auction_plans())
def test_racing_bids_then_settlement_leave_one_winner_per_lot_and_keep_the_books(
    site: Tenant, plan: AuctionPlan
) -> None:
    # given: three live lots, eight funded bidders, the books before
    marks = in_thread(lambda: take_marks(site))
    try:
        lots: Lots = committed(site, lambda: set_up_lots(site, plan))
        before = books_hold_in(site)
        # when: 200 bids, 12 at a time
        replies = replies_of(swarm([bid(site, lots, b, lot, a) for b, lot, a in plan.bids], tenant=site))
        # then: the books hold, and the holds are exactly the leading bids
        books_hold_in(site)
        bidding, wallets = committed(site, lambda: read_lots(lots))
        check_bidding(plan, lots, replies, bidding, wallets)
        # when: the lots end and are closed and settled, with conflicts
        settling = settle_lots(site, lots, plan)
        # then
        after = books_hold_in(site)
        records, wallets = committed(site, lambda: read_lots(lots))
        settled = committed(site, lambda: read_settled(lots))
        check_settlement(lots, bidding, settling, records, wallets, settled, before, after)
    finally:
        in_thread(lambda: remove_committed(site, marks))
        tenant_connection().set_schema_to_public()
