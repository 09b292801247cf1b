"""Who reaches which orders endpoint (a role matrix over every endpoint) and isolation between
the store's tenants: gamma's carts and orders are never reachable from delta."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.orders.models import Order
from tests.factories import CartItemFactory, CustomerFactory, StoreOrderFactory, UserFactory, create_in
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.store.orders.conftest import (
    AVAILABLE,
    CART,
    ORDERS,
    PROFILE,
    Api,
    delivery_url,
    order_url,
)

ROLES = ("anonymous", "buyer", "other_buyer", "seller", "courier", "other_courier", "admin")
EMAILS = {
    "buyer": "buyer@gamma.test",
    "other_buyer": "other-buyer@gamma.test",
    "seller": "seller@gamma.test",
    "courier": "courier@gamma.test",
    "other_courier": "other-courier@gamma.test",
    "admin": "admin@gamma.test",
}

#: ``(method, path template, order state) -> {role: status}`` for roles that differ from 404/403.
#: ``{id}``: an order of ``buyer`` with ``seller``'s item, held by ``courier`` from ``processing`` on.
#: Every role is checked on every row: after a POST succeeds, the next roles get a fresh order.
MATRIX: list[tuple[str, str, str, dict[str, int]]] = [
    ("get", PROFILE, "created", {"anonymous": 401, **dict.fromkeys(EMAILS, 200)}),
    ("get", CART, "created", {"anonymous": 401, "buyer": 200, "other_buyer": 200}),
    ("get", AVAILABLE, "created", {"anonymous": 401, "courier": 200, "other_courier": 200}),
    ("get", ORDERS, "created", {"anonymous": 401, **dict.fromkeys(EMAILS, 200)}),
    ("get", "{order}", "created", {"anonymous": 401, "buyer": 200, "seller": 200, "admin": 200}),
    ("get", "{order}", "processing", {"anonymous": 401, "buyer": 200, "seller": 200, "courier": 200, "admin": 200}),
    (
        "post",
        "{order}cancel/",
        "shipped",
        {"anonymous": 401, "buyer": 409, "seller": 403, "courier": 403, "admin": 403},
    ),
    (
        "post",
        "{order}complete/",
        "shipped",
        {"anonymous": 401, "buyer": 409, "seller": 403, "courier": 403, "admin": 409},
    ),
    ("get", "{order}proof/", "shipped", {"anonymous": 401, "buyer": 200, "seller": 403, "courier": 403, "admin": 200}),
    ("post", "{order}proof/confirm/", "shipped", {"anonymous": 401, "courier": 400}),
    ("post", "{claim}", "created", {"anonymous": 401, "courier": 200, "other_courier": 200}),
    ("post", "{advance}", "processing", {"anonymous": 401, "courier": 200}),
]


def _default(role: str, method: str, path: str) -> int:
    """Refusals: 401 anonymous; 403 for a role the view does not admit; 404 for an order hidden."""
    if role == "anonymous":
        return 401
    if path == CART and role not in ("buyer", "other_buyer"):
        return 403
    if (path == AVAILABLE or "delivery" in path or "confirm" in path) and role not in ("courier", "other_courier"):
        return 403
    return 404


@pytest.mark.parametrize(("method", "template", "state", "expected"), MATRIX)
def test_role_matrix(
    gamma: Tenant,
    people: SimpleNamespace,
    api: Api,
    method: str,
    template: str,
    state: str,
    expected: dict[str, int],
) -> None:
    # given
    def order_in_state() -> Order:
        return create_in(
            gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller, courier=people.courier, status=state
        )

    def path_of(order: Order) -> str:
        return template.format(
            order=order_url(order.pk), claim=delivery_url(order.pk, "claim"), advance=delivery_url(order.pk, "advance")
        )

    body = {"token": "not-the-pin"} if "confirm" in template else None
    order = order_in_state()
    # when: every role asks in turn; a POST that succeeds moved the order on, so the roles after it
    # meet a fresh order in ``state``
    seen = {}
    for role in ROLES:
        client, path = api(EMAILS.get(role)), path_of(order)
        response = getattr(client, method)(path, body, format="json") if body else getattr(client, method)(path)
        seen[role] = response.status_code
        if method == "post" and response.status_code < 300:
            order = order_in_state()
    # then
    assert seen == {role: expected.get(role, _default(role, method, path_of(order))) for role in ROLES}


def test_a_seller_sees_only_their_items_and_no_location(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    # given: an order of two sellers
    from tenant_apps.store.orders.demo import order_buy
    from tests.factories import StoreProductFactory

    with tenant_context(gamma):
        order = order_buy(
            buyer=people.buyer,
            lines=[
                (StoreProductFactory(seller=people.seller, price="3.00", approved=True), 1),
                (StoreProductFactory(seller=people.other_seller, price="4.00", approved=True), 1),
            ],
        )
    # when
    body = api("seller@gamma.test").get(order_url(order.pk)).json()
    # then
    assert [item["seller"] for item in body["items"]] == [people.seller.pk]
    assert (body["total"], body["location"]) == ("3.00", None)


def test_gammas_carts_and_orders_are_never_reachable_from_delta(
    gamma: Tenant, delta: Tenant, people: SimpleNamespace, client_for: ClientFor, login: Login
) -> None:
    # given: a gamma order and cart line; delta's admin and a delta customer with the same e-mail
    order = create_in(gamma, StoreOrderFactory, buyer=people.buyer, seller=people.seller)
    line = create_in(gamma, CartItemFactory, buyer=people.buyer)
    create_in(delta, CustomerFactory, email="buyer@gamma.test")
    create_in(delta, UserFactory, email="courier@gamma.test", roles=["delivery"])
    admin = client_for(delta, login(delta, "admin@delta.test")["access"])
    twin = client_for(delta, login(delta, "buyer@gamma.test")["access"])
    courier = client_for(delta, login(delta, "courier@gamma.test")["access"])
    gamma_token = login(gamma, "buyer@gamma.test")["access"]
    # when / then
    assert admin.get(order_url(order.pk)).status_code == 404
    assert admin.get(ORDERS).json()["results"] == []
    assert twin.get(order_url(order.pk)).status_code == 404
    assert twin.get(CART).json()["items"] == []
    assert twin.delete(f"/api/v1/cart/items/{line.pk}/").status_code == 404
    assert courier.get(AVAILABLE).json()["results"] == []
    assert courier.post(delivery_url(order.pk, "claim")).status_code == 404
    assert client_for(delta, gamma_token).get(ORDERS).status_code == 401
