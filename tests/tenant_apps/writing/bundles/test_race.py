"""Two orders of one client paid at the same moment from the last units of one bundle, on committed
rows from threads with their own connections (as concurrent requests are): a 2-page bundle, two
2-page orders.

Under the purchase's lock (``locks.purchase_lock``, taken after each order's own invoice and order
locks, which do not meet as the orders differ) the second waits for the first to commit, sees
nothing left and is refused (409 ``bundle_insufficient_units``): one order paid, the bundle used up.
A pause after the locked check lets both start before either writes; whichever locks second waits,
so the order of the two does not matter.

Without the lock (replaced by a plain read), the interleaving it forbids is staged with events,
not pauses a loaded machine can reorder: the second reads the purchase, the first goes on only
then and commits, and the second writes what it read less its units: both orders paid, 4 pages
drawn from a 2-page bundle. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tests.concurrency import race
from tests.factories import BundleFactory, BundlePurchaseFactory, OrderFactory, UserFactory

PAUSE = 0.3


def _a_bundle_and_two_orders() -> tuple[Any, Any, Any]:
    client = UserFactory(email="race-bundle-client@golf.test", roles=["client"])
    purchase = BundlePurchaseFactory(client=client, bundle=BundleFactory(quantity=2))
    return purchase, OrderFactory(client=client), OrderFactory(client=client)


def _pay(order: Any, purchase: Any) -> Callable[[], Any]:
    def call() -> Any:
        from tenant_apps.writing.bundles.services import order_pay_bundle

        return order_pay_bundle(order=order, purchase=purchase, payer=purchase.client)

    return call


def _state(purchase: Any, orders: tuple[Any, Any]) -> tuple[int, str, int, list[str]]:
    """(units left, the purchase's status, units drawn, the orders' statuses)."""
    from tenant_apps.writing.bundles.models import BundleDraw, BundlePurchase
    from tenant_apps.writing.orders.models import Order

    stored = BundlePurchase.objects.get(pk=purchase.pk)
    drawn = sum(BundleDraw.objects.filter(purchase=stored).values_list("units", flat=True))
    statuses = [Order.objects.get(pk=order.pk).status for order in orders]
    return stored.remaining, stored.status, drawn, sorted(statuses)


def test_two_orders_drawing_the_last_units_at_once_one_is_refused(
    golf: Tenant, bundle_committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.bundles.services import draws

    # given: a 2-page bundle and two 2-page orders, committed; the locked check held open
    purchase, first, second = bundle_committed(_a_bundle_and_two_orders)
    real = draws._check_drawable

    def slow(held: Any, units: int, now: Any) -> None:
        real(held, units, now)
        time.sleep(PAUSE)

    monkeypatch.setattr(draws, "_check_drawable", slow)
    # when
    outcomes = race([_pay(first, purchase), _pay(second, purchase)], tenant=golf)
    # then: one paid, the other refused with nothing left
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(refused) == 1, outcomes
    assert (refused[0].status_code, refused[0].code) == (409, "bundle_insufficient_units")
    assert bundle_committed(lambda: _state(purchase, (first, second))) == (0, "used_up", 2, ["available", "unpaid"])


def test_without_the_lock_both_orders_are_paid_from_a_bundle_too_small(
    golf: Tenant, bundle_committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tenant_apps.writing.bundles.models import BundlePurchase
    from tenant_apps.writing.bundles.services import draws

    # given: the lock replaced by a plain read; the second reads, then waits for the first's commit
    purchase, first, second = bundle_committed(_a_bundle_and_two_orders)
    second_read, first_committed = threading.Event(), threading.Event()
    which = threading.local()

    def plain_read(pk: int) -> Any:
        found = BundlePurchase.objects.select_related("client").get(pk=pk)
        if getattr(which, "second", False):
            second_read.set()
            assert first_committed.wait(30), "the first payment did not commit"
        else:
            assert second_read.wait(30), "the second payment did not read"
        return found

    def one() -> Any:
        try:
            return _pay(first, purchase)()
        finally:
            first_committed.set()

    def two() -> Any:
        which.second = True
        return _pay(second, purchase)()

    monkeypatch.setattr(draws, "purchase_lock", plain_read)
    # when
    outcomes = race([one, two], tenant=golf)
    # then: both orders paid, 4 pages drawn from a 2-page bundle
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    assert bundle_committed(lambda: _state(purchase, (first, second))) == (0, "used_up", 4, ["available", "available"])
