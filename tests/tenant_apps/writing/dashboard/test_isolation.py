"""One writing site's figures never reach another's dashboard (golf and hotel)."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories import TicketFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.dashboard.conftest import DASHBOARD, dispute, make_order


def test_golfs_orders_and_tickets_are_not_in_hotels_dashboards(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given golf's orders in every section's view, and a ticket
    make_order(writing, "completed")
    make_order(writing, "in_review")
    dispute(writing)
    with tenant_context(writing.tenant):
        TicketFactory(created_by=writing.cleo)
    other = make_writing(hotel, client_for, login)
    # when hotel's people (same e-mail local parts and roles) look
    admin = other.client("admin").get(DASHBOARD).json()["admin"]
    support = other.client("sue").get(DASHBOARD).json()["support"]
    editor = other.client("eddie").get(DASHBOARD).json()["editor"]
    writer = other.client("wren").get(DASHBOARD).json()["writer"]
    client = other.client("cleo").get(DASHBOARD).json()["client"]
    # then they see nothing of golf's
    assert (admin["orders_total"], admin["revenue_by_day"], admin["top_writers"]) == (0, [], [])
    assert (support["open_tickets_count"], support["disputed_orders"]) == (0, [])
    assert (editor["queue_count"], editor["review_queue"]) == (0, [])
    assert (writer["completed_count"], writer["earnings_this_month"]) == (0, [])
    assert (client["orders_total"], client["spending"]) == (0, [])
    # while golf's admin sees them
    assert writing.client("admin").get(DASHBOARD).json()["admin"]["orders_total"] == 3


def test_a_golf_token_does_not_open_hotels_dashboard(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    golf_admin = login(writing.tenant, "admin@golf.test")["access"]
    assert client_for(hotel, golf_admin).get(DASHBOARD).status_code == 401
