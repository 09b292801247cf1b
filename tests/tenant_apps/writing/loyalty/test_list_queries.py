"""The loyalty lists (accounts, ledgers, tiers) run a fixed number of queries, however many rows."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.writing.loyalty.models import LoyaltyAccount
from tests.factories import LoyaltyTierFactory, PointsAwardFactory, UserFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.loyalty.conftest import LOYALTY
from tests.tenant_apps.writing.orders.conftest import make_order


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):
        make_order(writing, "completed")  # cleo earns points on an order
    with tenant_context(writing.tenant):
        for _ in range(n):
            PointsAwardFactory(user=writing.cleo, points=5)
            PointsAwardFactory(user=UserFactory(roles=["client"]), points=7)
            LoyaltyTierFactory()


def _queries(writing: Writing, who: str | None, path: str) -> int:
    client = writing.client(who)
    client.get(path)  # warm: the login's own lookups, the settings rows
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _paths(writing: Writing) -> list[tuple[str | None, str]]:
    with tenant_context(writing.tenant):
        account = LoyaltyAccount.objects.get(user=writing.cleo)
    return [
        ("admin", f"{LOYALTY}accounts/"),
        ("admin", f"{LOYALTY}accounts/{account.pk}/entries/"),
        ("cleo", f"{LOYALTY}me/entries/"),
        (None, f"{LOYALTY}tiers/"),
    ]


def test_listing_more_accounts_entries_and_tiers_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = [_queries(writing, who, path) for who, path in _paths(writing)]
    # when
    _add(writing, 4)
    many = [_queries(writing, who, path) for who, path in _paths(writing)]
    # then
    assert many == few
    with tenant_context(writing.tenant):
        assert LoyaltyAccount.objects.get(user=writing.cleo).lifetime_spend == Decimal("120.00")
