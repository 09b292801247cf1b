"""List endpoints run a fixed number of queries, however many rows they list (no query per row)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.factories import InvoiceFactory, NotificationFactory, TicketFactory, in_days
from tests.fixture_types import ClientFor, Login, MakeUser

LISTS = (
    "/api/v1/invoices/",
    "/api/v1/payments/",
    "/api/v1/tickets/",
    "/api/v1/users/",
    "/api/v1/notifications/",
    "/api/v1/audit-log/",
    "/api/v1/wallets/",
    "/api/v1/bootcamps/",
    "/api/v1/bootcamp-enrolments/",
    "/api/v1/products/",
)


def _rows(alpha: Tenant, make_user: MakeUser, prefix: str, n: int) -> None:
    """``n`` students, each with an invoice, a ticket and a notification to the admin."""
    from tenant_apps.accounts.models import User

    users = [make_user(alpha, f"{prefix}{i}@example.com", roles=["student"]) for i in range(n)]
    with tenant_context(alpha):
        admin = User.objects.get(email="admin@alpha.test")
        for user in users:
            InvoiceFactory(
                customer=user, due_date=in_days(3), lines=[{"description": "Fee", "quantity": 1, "unit_price": "5.00"}]
            )
            TicketFactory(created_by=user, subject="Question", body="How?")
            NotificationFactory(recipient=admin, verb="user.joined", target=user)


def _queries(client: APIClient) -> dict[str, int]:
    counts = {}
    for url in LISTS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        counts[url] = len(queries.captured_queries)
    return counts


def test_list_endpoints_cost_the_same_queries_for_two_rows_or_ten(
    alpha: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # given two rows of everything
    _rows(alpha, make_user, "few", 2)
    few = _queries(admin)
    # when eight more are added
    _rows(alpha, make_user, "more", 8)
    many = _queries(admin)
    # then no list runs a query per row
    assert many == few
