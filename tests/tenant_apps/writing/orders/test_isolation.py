"""One writing site's orders are invisible from another (golf and hotel): lists, ids, settings."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.orders.models import Order
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.orders.conftest import ORDERS, make_order, order_body, order_url, set_settings


def test_golfs_orders_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: an order on each site, golf in first_request mode
    golf_order = make_order(writing, "available")
    set_settings(writing, assignment_mode="first_request")
    other = make_writing(hotel, client_for, login)
    hotel_order = other.client("cleo").post(ORDERS, order_body(), format="json").json()
    # then: each admin lists their own site's orders only; golf's id is a 404 on hotel
    assert [o["id"] for o in other.client("admin").get(ORDERS).json()["results"]] == [hotel_order["id"]]
    assert golf_order.pk not in [o["id"] for o in other.client("admin").get(ORDERS).json()["results"]]
    if golf_order.pk != hotel_order["id"]:
        assert other.client("admin").get(order_url(golf_order.pk)).status_code == 404
    assert other.client("admin").get(f"{ORDERS}settings/").json()["assignment_mode"] == "admin"
    # and hotel's writers do not see golf's pool
    assert other.client("wren").get(ORDERS).json()["results"] == []
    with tenant_context(hotel):
        assert not Order.objects.filter(topic=golf_order.topic, number=golf_order.number).exists()
