"""Each dashboard section runs a fixed number of queries, however many orders, tickets and ledger
rows the site has (aggregates, not a query per row): the number the selectors' table promises,
after the two of every authenticated request (the user, their roles)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import TicketFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.dashboard.conftest import DASHBOARD, dispute, make_order, rated

#: Queries of each person's section (``selectors``' table).
SECTION_QUERIES = {"cleo": 2, "wren": 3, "eddie": 2, "sue": 4, "admin": 4}
#: Every authenticated request: the token's user, then their roles.
REQUEST_QUERIES = 2


def _add(writing: Writing, n: int) -> None:
    """``n`` of each: a paid order, one in progress and one in review, a completed and rated one,
    a disputed one, and an open ticket."""
    for _ in range(n):
        make_order(writing, "available")
        make_order(writing, "in_progress")
        make_order(writing, "in_review")
        rated(writing, 5)
        dispute(writing)
        with tenant_context(writing.tenant):
            TicketFactory(created_by=writing.cleo)


def _queries(writing: Writing, who: str) -> int:
    client = writing.client(who)
    assert client.get(DASHBOARD).status_code == 200  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue", "admin"])
def test_a_dashboard_costs_the_same_queries_for_few_rows_or_many(writing: Writing, who: str) -> None:
    # given
    _add(writing, 1)
    few = _queries(writing, who)
    # when
    _add(writing, 4)
    many = _queries(writing, who)
    # then
    assert many == few == REQUEST_QUERIES + SECTION_QUERIES[who]
