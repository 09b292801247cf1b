"""The special orders list runs a fixed number of queries, however many special orders it lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.special_orders.conftest import SPECIAL, make_special


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):  # one requested, one accepted (billed), one in progress for wren
        make_special(writing)
        make_special(writing, "accepted")
        make_special(writing, "in_progress", writer=writing.wren)


def _queries(writing: Writing, who: str) -> int:
    client = writing.client(who)
    client.get(SPECIAL)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(SPECIAL)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "sue", "cleo", "wren"])
def test_listing_more_special_orders_runs_no_more_queries(writing: Writing, who: str) -> None:
    # given
    _add(writing, 1)
    few = _queries(writing, who)
    # when
    _add(writing, 4)
    many = _queries(writing, who)
    # then
    assert many == few
