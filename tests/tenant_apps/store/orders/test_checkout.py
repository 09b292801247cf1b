"""Checkout: the cart becomes one order of several sellers at effective prices, its total held in
escrow, the stock decremented and the cart emptied; each refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.store.catalog.models import Product, SaleEvent
from tenant_apps.store.orders.models import CartItem, Order
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tests.factories import CustomerFactory, StoreProductFactory
from tests.tenant_apps.store.orders.conftest import CART_ITEMS, CHECKOUT, Api, error_code

D = Decimal


def _fund(user: User, amount: str) -> None:
    wallet_top_up(wallet=wallet_open(user=user), amount=amount, memo="test funds")


def _state(buyer: User, *products: Product) -> tuple[object, ...]:
    wallet = wallet_open(user=buyer)
    return (
        wallet.balance,
        wallet.held_balance,
        Order.objects.filter(buyer=buyer).count(),
        CartItem.objects.filter(buyer=buyer).count(),
        *(Product.objects.get(pk=p.pk).stock for p in products),
    )


def test_checkout_makes_one_order_of_several_sellers_at_effective_prices_and_holds_its_total(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given: two sellers' products, one on a 25 % sale
    with tenant_context(gamma):
        mug = StoreProductFactory(seller=people.seller, price="8.00", stock=5, title="Mug", approved=True)
        tea = StoreProductFactory(seller=people.other_seller, price="4.00", stock=3, title="Tea", approved=True)
        sale = SaleEvent.objects.create(
            name="Spring",
            percent=D("25"),
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(hours=1),
            created_by=people.admin,
        )
        sale.products.add(mug)
        _fund(people.buyer, "100.00")
    client = api("buyer@gamma.test")
    assert client.post(CART_ITEMS, {"product": mug.pk, "quantity": 2}, format="json").status_code == 201
    assert client.post(CART_ITEMS, {"product": tea.pk, "quantity": 3}, format="json").status_code == 201
    # when
    response = client.post(CHECKOUT)
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "created"
    assert body["total"] == "24.00"  # 2 x 6.00 + 3 x 4.00
    assert sorted((i["title"], i["quantity"], i["unit_price"], i["seller"]) for i in body["items"]) == [
        ("Mug", 2, "6.00", people.seller.pk),
        ("Tea", 3, "4.00", people.other_seller.pk),
    ]
    assert body["location"]["address"]
    with tenant_context(gamma):
        assert _state(people.buyer, mug, tea) == (D("76.00"), D("24.00"), 1, 0, 3, 0)
        hold = LedgerEntry.objects.get(reference=f"order:{body['id']}:hold")
        assert (hold.kind, hold.held_delta) == ("escrow_hold", D("24.00"))
        assert people.buyer.notifications.filter(verb="order.created").count() == 1


def test_checkout_refuses_more_than_in_stock_and_names_what_is_available(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given: the cart asks for 3, and then the stock drops to 2
    with tenant_context(gamma):
        mug = StoreProductFactory(seller=people.seller, stock=3, approved=True)
        _fund(people.buyer, "100.00")
    client = api("buyer@gamma.test")
    client.post(CART_ITEMS, {"product": mug.pk, "quantity": 3}, format="json")
    with tenant_context(gamma):
        Product.objects.filter(pk=mug.pk).update(stock=2)
        before = _state(people.buyer, mug)
    # when
    response = client.post(CHECKOUT)
    # then
    assert (response.status_code, error_code(response)) == (409, "insufficient_stock")
    assert response.json()["error"]["details"]["products"] == [{"product": mug.pk, "requested": 3, "available": 2}]
    with tenant_context(gamma):
        assert _state(people.buyer, mug) == before


def test_checkout_with_too_little_money_answers_402_and_changes_nothing(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    with tenant_context(gamma):
        mug = StoreProductFactory(seller=people.seller, price="30.00", stock=3, approved=True)
        _fund(people.buyer, "29.99")
    client = api("buyer@gamma.test")
    client.post(CART_ITEMS, {"product": mug.pk, "quantity": 1}, format="json")
    with tenant_context(gamma):
        before = _state(people.buyer, mug)
    # when
    response = client.post(CHECKOUT)
    # then
    assert (response.status_code, error_code(response)) == (402, "insufficient_funds")
    assert response.json()["error"]["details"] == {"required": "30.00", "available": "29.99", "currency": "USD"}
    with tenant_context(gamma):
        assert _state(people.buyer, mug) == before
        assert before[3] == 1  # the cart is kept


def test_checkout_needs_a_delivery_location(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # given: a customer without a location
    with tenant_context(gamma):
        from tenant_apps.accounts.services import user_create

        nomad = user_create(email="nomad@gamma.test", password="correct-horse-battery-staple", roles=["customer"])
        mug = StoreProductFactory(seller=people.seller, approved=True)
        _fund(nomad, "50.00")
    client = api("nomad@gamma.test")
    client.post(CART_ITEMS, {"product": mug.pk, "quantity": 1}, format="json")
    # when
    response = client.post(CHECKOUT)
    # then
    assert (response.status_code, error_code(response)) == (400, "location_required")
    with tenant_context(gamma):
        assert _state(nomad, mug)[2:] == (0, 1, 10)


def test_checkout_of_an_empty_cart_is_refused(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # when
    response = api("buyer@gamma.test").post(CHECKOUT)
    # then
    assert (response.status_code, error_code(response)) == (400, "cart_empty")


def test_checkout_refuses_a_product_taken_off_sale_since_it_was_added(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    with tenant_context(gamma):
        mug = StoreProductFactory(seller=people.seller, approved=True)
        _fund(people.buyer, "50.00")
    client = api("buyer@gamma.test")
    client.post(CART_ITEMS, {"product": mug.pk, "quantity": 1}, format="json")
    with tenant_context(gamma):
        Product.objects.filter(pk=mug.pk).update(is_active=False)
    # when
    response = client.post(CHECKOUT)
    # then
    assert (response.status_code, error_code(response)) == (409, "product_unavailable")
    assert response.json()["error"]["details"] == {"products": [mug.pk]}


def test_a_second_checkout_of_the_same_cart_finds_it_empty(in_gamma: Tenant, people: SimpleNamespace) -> None:
    # given
    from saas.errors import ApplicationError
    from tenant_apps.store.orders.services import cart_item_add, order_checkout

    buyer = CustomerFactory(email="twice@gamma.test")
    _fund(buyer, "50.00")
    cart_item_add(buyer=buyer, product=StoreProductFactory(seller=people.seller, approved=True), quantity=1)
    order_checkout(buyer=buyer)
    # when
    with pytest.raises(ApplicationError) as refused:
        order_checkout(buyer=buyer)
    # then
    assert refused.value.code == "cart_empty"
    assert Order.objects.filter(buyer=buyer).count() == 1
