"""Orders in the store's admin: pages for the admin only, completion through the settlement
service (ledger, points, notifications) with its refusals, card top-ups listed, fixed query
counts, nothing of another store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import stripe
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.store.orders.models import Order, OrderStatus, WalletTopUp
from tenant_apps.store.orders.services import wallet_top_up_card_start
from tenant_apps.store.shop.models import PointsEntry
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    audit_verbs,
    messages_of,
    run_action,
    session_client,
)
from tests.conftest import host_of
from tests.factories import StoreOrderFactory, StoreProductFactory
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.store.conftest import Store, reload

pytestmark = pytest.mark.django_db

# The payments tests' Stripe: off by default, localstripe for the card top-up's page.
_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on


def _order(store: Store, **fields: Any) -> Order:
    with tenant_context(store.tenant):
        return StoreOrderFactory(buyer=store.cal, seller=store.sam, courier=store.dave, **fields)


def _age(store: Store, order: Order, days: int = 30) -> None:
    """Move ``order``'s delivery ``days`` into the past (the completion wait has passed)."""
    with tenant_context(store.tenant):
        Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=days))


def test_the_order_pages_answer_the_admin_and_send_others_to_sign_in(store: Store) -> None:
    # given
    order = _order(store, status=OrderStatus.SHIPPED)
    client = admin_client(store.tenant)
    # when
    listing = client.get(admin_url(Order) + f"?status__exact=shipped&q={order.number}")
    detail = client.get(admin_url(order, "change"))
    # then
    assert listing.status_code == 200 and order.number in listing.content.decode()
    assert detail.status_code == 200
    body = detail.content.decode()
    assert order.number in body and "Failed attempts" in body  # the items and the proof inline
    with tenant_context(store.tenant):
        pin = order.proof.pin
        title = order.items.get().title
    assert title in body
    assert f">{pin}<" not in body  # the PIN is the buyer's to hand over
    assert order.number not in client.get(admin_url(Order) + "?status__exact=completed").content.decode()
    for user in (store.cal, store.dave):
        refused = session_client(store.tenant, user).get(admin_url(order, "change"))
        assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_completing_an_order_settles_it_like_the_api(store: Store) -> None:
    # given: delivered long enough ago
    order = _order(store, status=OrderStatus.DELIVERED, price="40.00")
    _age(store, order)
    # when
    response = run_action(admin_client(store.tenant), Order, "complete_orders", [order])
    # then
    assert "1 completed." in messages_of(response)
    assert reload(store, order).status == OrderStatus.COMPLETED
    assert "order.completed" in audit_verbs(store.tenant, order)
    with tenant_context(store.tenant):
        paid = LedgerEntry.objects.get(
            kind=LedgerEntryKind.ESCROW_CAPTURE,
            reference=f"order:{order.pk}:seller:{store.sam.pk}",
            wallet__user=store.sam,
        )
        assert paid.balance_delta == Decimal("36.00")  # 40.00 less the 10 % commission
        assert PointsEntry.objects.filter(account__seller=store.sam, reference=f"order:{order.pk}:{store.sam.pk}")
        assert Notification.objects.filter(recipient=store.sam, verb="order.seller_payment").exists()
        assert Notification.objects.filter(recipient=store.cal, verb="order.completed").exists()


@pytest.mark.parametrize(
    ("status", "age", "message"),
    [
        (OrderStatus.DELIVERED, False, "This order completes later."),
        (OrderStatus.SHIPPED, False, "An order that is shipped cannot be completed."),
    ],
)
def test_an_order_not_due_is_refused_and_nothing_moves(store: Store, status: str, age: bool, message: str) -> None:
    # given
    order = _order(store, status=status)
    with tenant_context(store.tenant):
        entries = LedgerEntry.objects.count()
    # when
    response = run_action(admin_client(store.tenant), Order, "complete_orders", [order])
    # then
    assert messages_of(response) == [f"{order}: {message}"]
    assert reload(store, order).status == status
    with tenant_context(store.tenant):
        assert LedgerEntry.objects.count() == entries
    assert "order.completed" not in audit_verbs(store.tenant, order)


def test_the_order_list_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, stock=100, price="1.00", approved=True)

    # each held by its own courier (at most 5 active orders each)
    assert_list_queries_fixed(
        store.tenant, Order, lambda: StoreOrderFactory(buyer=store.cal, product=product, status=OrderStatus.PROCESSING)
    )


def test_a_store_admin_sees_no_order_of_another_store(store: Store, delta: Tenant) -> None:
    # given: an order in delta only
    with tenant_context(delta):
        theirs = StoreOrderFactory()
    client = admin_client(store.tenant)
    # when
    detail = client.get(admin_url(theirs, "change"))
    listing = client.get(admin_url(Order) + f"?q={theirs.number}")
    # then
    assert detail.status_code in (302, 404) or theirs.number not in detail.content.decode()
    assert listing.status_code == 200 and '<th class="field-' not in listing.content.decode()  # no row
    assert client.get(admin_url(theirs, "change"), HTTP_HOST=host_of(delta)).status_code == 302


def test_card_top_ups_are_listed_with_whether_they_were_credited(store: Store, stripe_on: stripe.StripeClient) -> None:
    # given: a top-up started by the service (an invoice and a Stripe intent, not paid yet)
    with tenant_context(store.tenant):
        top_up = wallet_top_up_card_start(user=store.cora, amount="12.50").top_up
    client = admin_client(store.tenant)
    # when
    waiting = client.get(admin_url(WalletTopUp) + "?credited_at__isempty=1&q=cora")
    credited = client.get(admin_url(WalletTopUp) + "?credited_at__isempty=0")
    detail = client.get(admin_url(top_up, "change"))
    # then
    assert waiting.status_code == 200 and "12.50" in waiting.content.decode()
    assert credited.status_code == 200 and "12.50" not in credited.content.decode()
    assert detail.status_code == 200 and top_up.invoice.number in detail.content.decode()
    refused = session_client(store.tenant, store.cora).get(admin_url(WalletTopUp))
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")
