"""The orders list runs a fixed number of queries, however many orders it lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import ORDERS, make_order


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):  # one in the writers' pool, one assigned to wren, one in review
        make_order(writing, status="available")
        make_order(writing, status="in_progress")
        make_order(writing, status="in_review")


def _queries(writing: Writing, who: str) -> int:
    client = writing.client(who)
    client.get(ORDERS)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(ORDERS)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "sue", "cleo", "wren", "eddie"])
def test_listing_more_orders_runs_no_more_queries(writing: Writing, who: str) -> None:
    # given
    _add(writing, 1)
    few = _queries(writing, who)
    # when
    _add(writing, 4)
    many = _queries(writing, who)
    # then
    assert many == few
