"""Races on committed rows, from threads with their own connections (as concurrent requests are):

* two buyers checking out the last unit: one order, the other ``insufficient_stock``, stock never
  below zero; without the products' row locks both get an order for the one unit;
* one courier claiming two orders at their 4th active one: one claim, one ``delivery_limit_reached``;
  without the courier's row lock both pass the limit;
* a cancellation of an order a courier carries while that courier's row is locked (their claim of
  another order in progress): it goes through, as row locks are ``FOR NO KEY UPDATE``; with
  ``FOR UPDATE`` it waits on its notification to the courier (the deadlock a CI run met).

Each racer is held after the read the lock protects (``after_read``), so without the lock both transactions read
before either writes, every time: the negative controls cannot pass by luck. Everything committed is
deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.concurrency import after_read, in_thread, race
from tests.factories import CustomerFactory, StoreOrderFactory, StoreProductFactory, UserFactory

PAUSE = 0.3


def _marks(gamma: Tenant) -> dict[str, int]:
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    with tenant_context(gamma):
        return {
            model.__name__: model.objects.order_by("-id").values_list("id", flat=True).first() or 0
            for model in (AuditLogEntry, Notification, User)
        }


def _cleanup(gamma: Tenant, before: dict[str, int]) -> None:
    """Delete every row the test committed in gamma (users made after ``before``, or named
    ``race-*`` by a run that crashed before its clean-up, and all theirs)."""
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.store.orders.models import CartItem, Order
    from tenant_apps.store.shop.models import PointsEntry, SellerAccount
    from tenant_apps.wallet.models import Wallet

    with tenant_context(gamma):
        made = User.objects.filter(id__gt=before["User"]) | User.objects.filter(email__startswith="race-")
        users = list(made.values_list("id", flat=True))
        Notification.objects.filter(id__gt=before["Notification"]).delete()
        CartItem.objects.filter(buyer_id__in=users).delete()
        Order.objects.filter(buyer_id__in=users).delete()
        Product.objects.filter(seller_id__in=users).delete()
        PointsEntry.objects.filter(account__seller_id__in=users).delete()
        SellerAccount.objects.filter(seller_id__in=users).delete()
        wallets = list(Wallet.objects.filter(user_id__in=users).values_list("id", flat=True))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM wallet_ledgerentry WHERE wallet_id = ANY(%s)", [wallets])
        Wallet.objects.filter(pk__in=wallets).delete()
        AuditLogEntry.objects.filter(id__gt=before["AuditLogEntry"]).delete()
        _delete_users(users)


def _delete_users(users: list[int]) -> None:
    """Delete ``users`` and the rows naming them, in SQL: the ORM's cascade would visit every
    installed app's tables, the school's too, which a store schema does not have."""
    from django.db import DatabaseError

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT cl.relname, att.attname FROM pg_constraint con
            JOIN pg_class cl ON cl.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = cl.relnamespace
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
            WHERE con.contype = 'f' AND con.confrelid = 'accounts_user'::regclass AND ns.nspname = current_schema()
            """
        )
        references = cursor.fetchall()
        for _ in range(3):  # rows naming rows that name users go first, over a few passes
            for table, column in references:
                try:
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" = ANY(%s)', [users])
                except DatabaseError:
                    continue
        cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [users])


@pytest.fixture
def committed(gamma: Tenant) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed(fn)``: run ``fn`` in gamma on its own connection (committed); all of it is
    deleted after the test."""
    in_thread(lambda: _cleanup(gamma, _marks(gamma)))  # what a crashed run left behind
    before = in_thread(lambda: _marks(gamma))

    def run(fn: Callable[[], Any]) -> Any:
        def inside() -> Any:
            with tenant_context(gamma):
                return fn()

        return in_thread(inside)

    try:
        yield run
    finally:
        in_thread(lambda: _cleanup(gamma, before))
        tenant_connection().set_schema_to_public()


# --- Checkout: the last unit -----------------------------------------------------------------------


def _last_unit() -> dict[str, Any]:
    from tenant_apps.store.orders.services import cart_item_add
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    seller = UserFactory(email="race-seller@gamma.test", roles=["seller"])
    product = StoreProductFactory(seller=seller, price="10.00", stock=1, title="Last unit", approved=True)
    buyers = [CustomerFactory(email=f"race-buyer{i}@gamma.test") for i in range(2)]
    for buyer in buyers:
        wallet_top_up(wallet=wallet_open(user=buyer), amount="50.00")
        cart_item_add(buyer=buyer, product=product, quantity=1)
    return {"product": product, "buyers": buyers}


def _slow_products_lock(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """Checkout's product read pauses after reading; ``locking=False`` reads without a row lock."""
    from tenant_apps.store.catalog import locks
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.store.orders.services import checkout

    hold = after_read(locking=locking)

    def slow(pks: Any) -> dict[int, Product]:
        if locking:
            found = locks.products_lock(pks)
        else:
            found = {p.pk: p for p in Product.objects.filter(pk__in=list(pks)).order_by("pk")}
        hold()
        return found

    monkeypatch.setattr(checkout, "products_lock", slow)


def _checkout_both(gamma: Tenant, rows: dict[str, Any]) -> list[Any]:
    from tenant_apps.store.orders.services import order_checkout

    def buy(buyer: Any) -> Callable[[], Any]:
        return lambda: order_checkout(buyer=buyer).status

    return race([buy(buyer) for buyer in rows["buyers"]], tenant=gamma)


def _orders_and_stock(gamma: Tenant, rows: dict[str, Any]) -> tuple[int, int]:
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.store.orders.models import OrderItem

    def read() -> tuple[int, int]:
        with tenant_context(gamma):
            sold = OrderItem.objects.filter(product=rows["product"]).count()
            return sold, Product.objects.get(pk=rows["product"].pk).stock

    result: tuple[int, int] = in_thread(read)
    return result


def test_two_buyers_racing_for_the_last_unit_get_one_order_and_one_refusal(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_last_unit)
    _slow_products_lock(monkeypatch, locking=True)
    # when
    outcomes = _checkout_both(gamma, rows)
    # then
    assert sorted(str(getattr(o, "code", o)) for o in outcomes) == ["created", "insufficient_stock"], outcomes
    assert _orders_and_stock(gamma, rows) == (1, 0)


def test_without_the_product_locks_both_buyers_get_the_one_unit(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_last_unit)
    _slow_products_lock(monkeypatch, locking=False)
    # when
    outcomes = _checkout_both(gamma, rows)
    # then: the negative control: an oversell
    assert outcomes == ["created", "created"], outcomes
    assert _orders_and_stock(gamma, rows) == (2, 0)


# --- Claims: the courier's limit -------------------------------------------------------------------


def _courier_at_four() -> dict[str, Any]:
    from tenant_apps.store.orders.models import MAX_ACTIVE_DELIVERIES

    buyer = CustomerFactory(email="race-buyer@gamma.test")
    seller = UserFactory(email="race-seller@gamma.test", roles=["seller"])
    courier = UserFactory(email="race-courier@gamma.test", roles=["delivery"])
    for _ in range(MAX_ACTIVE_DELIVERIES - 1):
        StoreOrderFactory(buyer=buyer, seller=seller, courier=courier, status="processing")
    waiting = [StoreOrderFactory(buyer=buyer, seller=seller) for _ in range(2)]
    return {"courier": courier, "waiting": waiting}


def _slow_count(monkeypatch: pytest.MonkeyPatch, *, user_locked: bool) -> None:
    from tenant_apps.store.orders.services import delivery

    real = delivery._active_deliveries

    def slow(courier_id: int) -> int:
        count = real(courier_id)
        time.sleep(PAUSE)
        return count

    monkeypatch.setattr(delivery, "_active_deliveries", slow)
    if not user_locked:
        monkeypatch.setattr(delivery, "user_lock", lambda pk: None)


def _claim_both(gamma: Tenant, rows: dict[str, Any]) -> list[str]:
    from tenant_apps.store.orders.services import order_claim

    def claim(order: Any) -> Callable[[], Any]:
        return lambda: order_claim(order_id=order.pk, courier=rows["courier"]).status

    return sorted(str(getattr(o, "code", o)) for o in race([claim(o) for o in rows["waiting"]], tenant=gamma))


def _active(gamma: Tenant, rows: dict[str, Any]) -> int:
    from tenant_apps.store.orders.services.delivery import _active_deliveries

    def read() -> int:
        with tenant_context(gamma):
            return _active_deliveries(rows["courier"].pk)

    result: int = in_thread(read)
    return result


def test_two_claims_at_the_limit_give_one_order_and_one_refusal(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_courier_at_four)
    _slow_count(monkeypatch, user_locked=True)
    # when
    outcomes = _claim_both(gamma, rows)
    # then
    assert outcomes == ["delivery_limit_reached", "processing"]
    assert _active(gamma, rows) == 5


def test_without_the_couriers_lock_both_claims_pass_the_limit(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_courier_at_four)
    _slow_count(monkeypatch, user_locked=False)
    # when
    outcomes = _claim_both(gamma, rows)
    # then: the negative control: six active orders
    assert outcomes == ["processing", "processing"]
    assert _active(gamma, rows) == 6


# --- Cancellation while the courier's row is locked --------------------------------------------------


def _carried_order() -> dict[str, Any]:
    buyer = CustomerFactory(email="race-buyer@gamma.test")
    seller = UserFactory(email="race-seller@gamma.test", roles=["seller"])
    courier = UserFactory(email="race-courier@gamma.test", roles=["delivery"])
    carried = StoreOrderFactory(buyer=buyer, seller=seller, courier=courier, status="processing")
    return {"buyer": buyer, "courier": courier, "order": carried}


def _cancel_while_courier_locked(gamma: Tenant, rows: dict[str, Any]) -> str:
    """Cancel ``rows["order"]`` while another transaction holds ``accounts.locks.user_lock`` on its
    courier (as their claim of another order does, until that order's lock is theirs); the
    cancellation gives up after a 3 s ``lock_timeout``. The status, or ``"waited"``.

    The cycle this stands for, which PostgreSQL broke with a 500: cancel(A) holds A's products and
    notifies A's courier; the courier's claim of B holds the courier and waits for B; cancel(B) holds
    B and waits for the same products. The notification's foreign key takes ``FOR KEY SHARE`` on the
    courier's row: only a ``FOR UPDATE`` lock there makes it wait."""
    from django.db import OperationalError, transaction

    from tenant_apps.accounts import locks
    from tenant_apps.store.orders.services import order_cancel

    held, done = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def hold() -> None:
        try:
            with tenant_context(gamma), transaction.atomic():
                locks.user_lock(rows["courier"].pk)
                held.set()
                done.wait(timeout=30)
        except BaseException as exc:  # reported below
            failure.append(exc)
        finally:
            held.set()
            connections.close_all()

    def cancel() -> str:
        assert held.wait(timeout=30)
        try:
            with tenant_context(gamma), connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '3s'")
                try:
                    return str(order_cancel(order_id=rows["order"].pk, actor=rows["buyer"]).status)
                except OperationalError:
                    return "waited"
                finally:
                    cursor.execute("RESET lock_timeout")
        finally:
            done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        outcome: str = in_thread(cancel)
    finally:
        done.set()
        holder.join(30)
    assert not failure, failure
    return outcome


def test_a_courier_locked_elsewhere_does_not_hold_up_the_cancellation_of_their_order(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any]
) -> None:
    # given: an order a courier carries
    rows = committed(_carried_order)
    # when: the buyer cancels it while the courier's row is locked
    outcome = _cancel_while_courier_locked(gamma, rows)
    # then
    assert outcome == "cancelled"


def test_with_for_update_user_locks_the_cancellation_waits_for_the_courier(
    gamma: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.accounts import locks
    from tenant_apps.accounts.models import User

    # given: user locks as Django's default select_for_update() takes them
    rows = committed(_carried_order)
    monkeypatch.setattr(locks, "user_lock", lambda pk: User.objects.select_for_update().get(pk=pk))
    # when
    outcome = _cancel_while_courier_locked(gamma, rows)
    # then: the negative control: the notification's key share waits on the courier
    assert outcome == "waited"
