"""One writing site's order messages are invisible from another (golf and hotel): threads, the
flagged list and the settings."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.messages.models import OrderMessage
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.messages.conftest import FLAGGED, SETTINGS, messages_url, post
from tests.tenant_apps.writing.orders.conftest import make_order


def test_golfs_order_messages_are_not_hotels(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given a masked message on golf, its settings changed, and an order on hotel
    golf_order = make_order(writing, "in_progress")
    post(writing, "cleo", golf_order.pk, "golf secret: cleo@golf.example.com")
    writing.client("admin").patch(SETTINGS, {"phone_region": "GB"}, format="json")
    other = make_writing(hotel, client_for, login)
    hotel_order = make_order(other, "in_progress")
    post(other, "cleo", hotel_order.pk, "hotel hello")
    # then hotel sees its own thread, no flagged message and its own settings
    assert [m["body"] for m in other.client("admin").get(messages_url(hotel_order.pk)).json()["results"]] == [
        "hotel hello"
    ]
    assert other.client("sue").get(FLAGGED).json()["results"] == []
    assert other.client("admin").get(SETTINGS).json()["phone_region"] == "US"
    if golf_order.pk != hotel_order.pk:
        assert other.client("admin").get(messages_url(golf_order.pk)).status_code == 404
    with tenant_context(hotel):
        assert not OrderMessage.objects.filter(original_body__contains="golf secret").exists()
