"""Delivery: couriers claim waiting orders (at most 5 active), ship them (a PIN the buyer reads,
also as a QR code) and confirm the buyer's PIN; wrong PINs are counted and lock the proof."""

from __future__ import annotations

from types import SimpleNamespace

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.orders.models import MAX_ACTIVE_DELIVERIES, MAX_PROOF_ATTEMPTS, Order
from tests.factories import StoreOrderFactory, create_in
from tests.tenant_apps.store.orders.conftest import AVAILABLE, Api, delivery_url, error_code, order_url


def test_a_courier_claims_ships_and_delivers_with_the_buyers_pin(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    order = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller)
    courier, buyer = api("courier@gamma.test"), api("buyer@gamma.test")
    assert [o["id"] for o in courier.get(AVAILABLE).json()["results"]] == [order.pk]
    assert "location" not in courier.get(AVAILABLE).json()["results"][0]
    # when
    claimed = courier.post(delivery_url(order.pk, "claim"))
    shipped = courier.post(delivery_url(order.pk, "advance"))
    proof = buyer.get(order_url(order.pk, "proof/"))
    delivered = courier.post(order_url(order.pk, "proof/confirm/"), {"token": proof.json()["pin"]}, format="json")
    # then
    assert (claimed.status_code, claimed.json()["status"]) == (200, "processing")
    assert claimed.json()["location"]["address"]  # the courier holding it sees where to go
    assert (shipped.status_code, shipped.json()["status"]) == (200, "shipped")
    assert proof.status_code == 200
    assert len(proof.json()["pin"]) == 6 and proof.json()["pin"].isdigit()
    assert proof.json()["qr_code"].startswith("data:image/png;base64,")
    assert (delivered.status_code, delivered.json()["status"]) == (200, "delivered")
    with tenant_context(gamma):
        stored = Order.objects.select_related("proof").get(pk=order.pk)
        assert stored.delivered_at is not None
        assert stored.proof.confirmed_by_id == people.courier.pk
        verbs = set(people.buyer.notifications.values_list("verb", flat=True))
        assert {"order.created", "order.shipped", "order.delivered"} <= verbs
        shipped_note = people.buyer.notifications.get(verb="order.shipped")
        assert shipped_note.extra_data["pin"] == proof.json()["pin"]


def test_the_pin_is_for_the_buyer_not_the_courier_or_the_seller(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    order = create_in(
        gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, courier=people.courier, shipped=True
    )
    # when / then
    assert api("seller@gamma.test").get(order_url(order.pk, "proof/")).status_code == 403
    assert api("courier@gamma.test").get(order_url(order.pk, "proof/")).status_code == 403
    assert api("other-buyer@gamma.test").get(order_url(order.pk, "proof/")).status_code == 404


def test_wrong_pins_are_counted_and_lock_the_proof(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # given
    order = create_in(
        gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, courier=people.courier, shipped=True
    )
    with tenant_context(gamma):
        pin = Order.objects.get(pk=order.pk).proof.pin
    wrong = "000000" if pin != "000000" else "111111"
    courier = api("courier@gamma.test")
    # when
    answers = [
        courier.post(order_url(order.pk, "proof/confirm/"), {"token": wrong}, format="json")
        for _ in range(MAX_PROOF_ATTEMPTS)
    ]
    locked = courier.post(order_url(order.pk, "proof/confirm/"), {"token": pin}, format="json")
    # then
    assert [(a.status_code, error_code(a)) for a in answers] == [(400, "proof_invalid")] * MAX_PROOF_ATTEMPTS
    assert answers[0].json()["error"]["details"] == {"attempts_left": MAX_PROOF_ATTEMPTS - 1}
    assert (locked.status_code, error_code(locked)) == (409, "proof_locked")
    with tenant_context(gamma):
        assert Order.objects.get(pk=order.pk).status == "shipped"


def test_a_non_ascii_token_is_refused_not_a_server_error(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    order = create_in(
        gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, courier=people.courier, shipped=True
    )
    response = api("courier@gamma.test").post(order_url(order.pk, "proof/confirm/"), {"token": "١٢٣٤٥٦"}, format="json")
    assert (response.status_code, error_code(response)) == (400, "proof_invalid")


def test_another_courier_cannot_ship_or_confirm_an_order_they_do_not_hold(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    order = create_in(
        gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, courier=people.courier, status="processing"
    )
    other = api("other-courier@gamma.test")
    # when / then
    assert other.post(delivery_url(order.pk, "advance")).status_code == 404
    assert other.post(delivery_url(order.pk, "claim")).status_code == 404
    assert other.get(order_url(order.pk)).status_code == 404


def test_a_claimed_order_cannot_be_claimed_again(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    order = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller)
    assert api("courier@gamma.test").post(delivery_url(order.pk, "claim")).status_code == 200
    again = api("courier@gamma.test").post(delivery_url(order.pk, "claim"))
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")


def test_a_courier_holds_at_most_five_active_orders(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # given: the courier holds five
    for _ in range(MAX_ACTIVE_DELIVERIES):
        create_in(
            gamma,
            StoreOrderFactory,
            buyer=people.buyer,
            seller=people.seller,
            courier=people.courier,
            status="processing",
        )
    sixth = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller)
    # when
    response = api("courier@gamma.test").post(delivery_url(sixth.pk, "claim"))
    # then
    assert (response.status_code, error_code(response)) == (409, "delivery_limit_reached")
    assert response.json()["error"]["details"] == {"limit": MAX_ACTIVE_DELIVERIES}


def test_the_buyer_cancels_before_shipping_and_gets_stock_and_money_back(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    from tenant_apps.store.catalog.models import Product
    from tenant_apps.wallet.selectors import wallet_of

    order = create_in(
        gamma,
        StoreOrderFactory,
        buyer=people.buyer,
        seller=people.seller,
        quantity=2,
        courier=people.courier,
        status="processing",
    )
    with tenant_context(gamma):
        product_id = order.items.get().product_id
        assert product_id is not None
        stock = Product.objects.get(pk=product_id).stock
    # when
    response = api("buyer@gamma.test").post(order_url(order.pk, "cancel/"))
    # then
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    with tenant_context(gamma):
        assert Product.objects.get(pk=product_id).stock == stock + 2
        wallet = wallet_of(user=people.buyer)
        assert (wallet.balance, wallet.held_balance) == (order.total, 0)


def test_a_shipped_order_cannot_be_cancelled(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    order = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, shipped=True)
    response = api("buyer@gamma.test").post(order_url(order.pk, "cancel/"))
    assert (response.status_code, error_code(response)) == (409, "invalid_status_transition")


def test_only_the_buyer_cancels(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    order = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller)
    response = api("seller@gamma.test").post(order_url(order.pk, "cancel/"))
    assert (response.status_code, error_code(response)) == (403, "permission_denied")
