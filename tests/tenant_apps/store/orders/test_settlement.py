"""Completion: after ``completion_wait_days`` the hold is captured once: each seller is paid their
kept items less the commission, the commission stays with the site, sellers earn points."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.store.orders import services
from tenant_apps.store.orders.demo import order_buy, order_walk
from tenant_apps.store.orders.models import Order
from tenant_apps.store.orders.tasks import orders_complete_due_task
from tenant_apps.store.shop.models import PointsEntry, StoreSettings
from tenant_apps.store.shop.services import store_settings
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tests.factories import StoreOrderFactory, StoreProductFactory
from tests.tenant_apps.store.orders.conftest import Api, error_code, order_url

D = Decimal


def _two_seller_order(people: SimpleNamespace) -> Order:
    """A delivered order: 2 x 10.00 of ``seller``, 1 x 5.55 of ``other_seller`` (total 25.55)."""
    mug = StoreProductFactory(seller=people.seller, price="10.00", approved=True)
    tea = StoreProductFactory(seller=people.other_seller, price="5.55", approved=True)
    order = order_buy(buyer=people.buyer, lines=[(mug, 2), (tea, 1)])
    return order_walk(order=order, to="delivered", courier=people.courier)


def _after_wait(order: Order) -> datetime:
    assert order.delivered_at is not None
    return order.delivered_at + timedelta(days=store_settings().completion_wait_days, seconds=1)


def test_completion_pays_each_seller_less_commission_and_the_site_keeps_it(
    in_gamma: Tenant, people: SimpleNamespace
) -> None:
    # given: a 10 % commission and 10 points per order
    store_settings()
    StoreSettings.objects.filter(pk=1).update(commission_percent=D("10"), points_per_order=10)
    order = _two_seller_order(people)
    # when
    services.order_complete(order_id=order.pk, now=_after_wait(order))
    # then
    order.refresh_from_db()
    assert order.status == "completed"
    assert wallet_of(user=people.seller).balance == D("18.00")  # 20.00 - 2.00
    assert wallet_of(user=people.other_seller).balance == D("4.99")  # 5.55 - 0.56 (rounded half up)
    buyer = wallet_of(user=people.buyer)
    assert buyer.held_balance == D("0")
    commission = LedgerEntry.objects.get(reference=f"order:{order.pk}:commission")
    assert (commission.held_delta, commission.counterparty_id) == (D("-2.56"), None)
    assert [
        PointsEntry.objects.get(reference=f"order:{order.pk}:{seller.pk}").delta
        for seller in (people.seller, people.other_seller)
    ] == [10, 10]
    payment = people.seller.notifications.get(verb="order.seller_payment")
    assert payment.extra_data["amount"] == "18.00"
    assert people.buyer.notifications.filter(verb="order.completed").count() == 1


def test_completing_twice_pays_once(in_gamma: Tenant, people: SimpleNamespace) -> None:
    # given
    order = _two_seller_order(people)
    services.order_complete(order_id=order.pk, now=_after_wait(order))
    entries = LedgerEntry.objects.count()
    # when
    services.order_complete(order_id=order.pk, now=_after_wait(order))
    orders_complete_due_task()
    # then
    assert LedgerEntry.objects.count() == entries


def test_returned_units_are_not_captured_again(in_gamma: Tenant, people: SimpleNamespace) -> None:
    # given: one of the seller's two units was refunded by a return (released to the buyer)
    from tenant_apps.store.orders.locks import order_lock
    from tenant_apps.wallet.services import escrow_release

    StoreSettings.objects.filter(pk=store_settings().pk).update(commission_percent=D("0"))
    order = _two_seller_order(people)
    item = order.items.get(seller=people.seller)
    order_lock(order.pk)
    escrow_release(wallet=wallet_of(user=people.buyer), amount="10.00", reference="return:1:refund")
    item.returned_quantity = 1
    item.save(update_fields=["returned_quantity"])
    # when
    services.order_complete(order_id=order.pk, now=_after_wait(order))
    # then
    assert wallet_of(user=people.seller).balance == D("10.00")
    assert wallet_of(user=people.other_seller).balance == D("5.55")
    assert wallet_of(user=people.buyer).held_balance == D("0")


def test_an_order_completes_only_after_the_wait(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # given
    with tenant_context(gamma):
        order = _two_seller_order(people)
    # when
    early = api("buyer@gamma.test").post(order_url(order.pk, "complete/"))
    # then
    assert (early.status_code, error_code(early)) == (409, "completion_not_due")
    assert "due_at" in early.json()["error"]["details"]
    # and when the wait is over
    with tenant_context(gamma):
        Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    late = api("buyer@gamma.test").post(order_url(order.pk, "complete/"))
    assert (late.status_code, late.json()["status"]) == (200, "completed")


def test_an_open_return_holds_completion_until_it_is_decided(in_gamma: Tenant, people: SimpleNamespace) -> None:
    # given
    from tenant_apps.store.returns.models import ReturnRequest

    order = _two_seller_order(people)
    ReturnRequest.objects.create(order=order, buyer=people.buyer, reason="Cracked")
    # when
    with pytest.raises(ApplicationError) as refused:
        services.order_complete(order_id=order.pk, now=_after_wait(order))
    # then
    assert refused.value.code == "return_pending"
    assert services.orders_complete_due(now=_after_wait(order)) == []


def test_the_periodic_task_completes_due_orders_only(in_gamma: Tenant, people: SimpleNamespace) -> None:
    # given: one order delivered long ago, one just now, one shipped
    due = _two_seller_order(people)
    Order.objects.filter(pk=due.pk).update(delivered_at=timezone.now() - timedelta(days=30))
    fresh = _two_seller_order(people)
    shipped = StoreOrderFactory(buyer=people.buyer, seller=people.seller, courier=people.courier, shipped=True)
    # when
    done = orders_complete_due_task()
    # then
    assert done == [due.pk]
    assert dict(Order.objects.filter(pk__in=[due.pk, fresh.pk, shipped.pk]).values_list("pk", "status")) == {
        due.pk: "completed",
        fresh.pk: "delivered",
        shipped.pk: "shipped",
    }


def test_the_periodic_task_does_nothing_in_a_school_site(alpha: Tenant) -> None:
    with tenant_context(alpha):
        assert orders_complete_due_task() == []
