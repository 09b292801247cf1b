"""The profile (delivery location, validated ranges) and the cart (adding adds to a line)."""

from __future__ import annotations

from types import SimpleNamespace

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories import StoreProductFactory
from tests.tenant_apps.store.orders.conftest import CART, CART_ITEMS, PROFILE, Api, error_code


def test_a_user_sets_their_location_and_out_of_range_values_are_refused(people: SimpleNamespace, api: Api) -> None:
    client = api("seller@gamma.test")
    assert client.get(PROFILE).json()["has_location"] is False
    ok = client.patch(
        PROFILE, {"location_lat": "52.5", "location_lng": "-13.25", "location_address": "Here"}, format="json"
    )
    assert (ok.status_code, ok.json()["has_location"], ok.json()["location_lng"]) == (200, True, "-13.250000")
    for body in ({"location_lat": "90.5"}, {"location_lng": "-180.01"}, {"location_lat": 12}, {"location_lat": "1e2"}):
        refused = client.patch(PROFILE, body, format="json")
        assert (refused.status_code, error_code(refused)) == (400, "validation_error"), body
    assert client.get(PROFILE).json()["location_lat"] == "52.500000"


def test_adding_a_product_already_in_the_cart_adds_to_its_quantity(
    gamma: Tenant, people: SimpleNamespace, api: Api
) -> None:
    # given
    with tenant_context(gamma):
        mug = StoreProductFactory(seller=people.seller, price="2.50", stock=5, approved=True)
    client = api("buyer@gamma.test")
    # when
    client.post(CART_ITEMS, {"product": mug.pk, "quantity": 2}, format="json")
    cart = client.post(CART_ITEMS, {"product": mug.pk, "quantity": 1}, format="json").json()
    # then
    assert [(line["quantity"], line["unit_price"], line["line_total"]) for line in cart["items"]] == [
        (3, "2.50", "7.50")
    ]
    assert (cart["total"], cart["currency"]) == ("7.50", "USD")
    line = cart["items"][0]["id"]
    assert client.patch(f"{CART_ITEMS}{line}/", {"quantity": 5}, format="json").json()["total"] == "12.50"
    too_many = client.patch(f"{CART_ITEMS}{line}/", {"quantity": 6}, format="json")
    assert (too_many.status_code, error_code(too_many)) == (409, "insufficient_stock")
    assert api("other-buyer@gamma.test").delete(f"{CART_ITEMS}{line}/").status_code == 404
    assert client.delete(f"{CART_ITEMS}{line}/").status_code == 204
    assert client.get(CART).json()["items"] == []


def test_only_approved_active_products_go_in_a_cart(gamma: Tenant, people: SimpleNamespace, api: Api) -> None:
    with tenant_context(gamma):
        pending = StoreProductFactory(seller=people.seller)
    response = api("buyer@gamma.test").post(CART_ITEMS, {"product": pending.pk, "quantity": 1}, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error")
    assert api("seller@gamma.test").get(CART).status_code == 403
