"""The writers and levels lists run a fixed number of queries, however many they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import OrderReviewFactory, UserFactory, WriterLevelFactory, WriterProfileFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order
from tests.tenant_apps.writing.writers.conftest import LEVELS, WRITERS


def _add(writing: Writing, n: int) -> None:
    with tenant_context(writing.tenant):
        for _ in range(n):  # a writer with a level of their own and a rated order, one without a profile
            writer = UserFactory(roles=["writer"])
            WriterProfileFactory(user=writer, level=WriterLevelFactory())
            UserFactory(roles=["writer"])
    for _ in range(n):  # a completed order of will's with a published review
        order = make_order(writing, "completed", writer=writing.will, rating=3)
        with tenant_context(writing.tenant):
            OrderReviewFactory(order=order, rating=3, published=True)


def _queries(writing: Writing, path: str) -> int:
    client = writing.client("admin")
    client.get(path)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_listing_more_writers_and_levels_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = (_queries(writing, WRITERS), _queries(writing, LEVELS))
    # when
    _add(writing, 4)
    many = (_queries(writing, WRITERS), _queries(writing, LEVELS))
    # then
    assert many == few
