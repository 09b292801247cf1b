"""The bundles, purchases and express classes lists run a fixed number of queries, however many
they list."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tenant_apps.writing.bundles.conftest import BUNDLES, EXPRESS, PURCHASES, make_express, make_purchase
from tests.tenant_apps.writing.conftest import Writing


def _add(writing: Writing, n: int) -> None:
    for _ in range(n):  # a purchase (and its bundle) of each client; a class taking two levels
        make_purchase(writing, "cleo")
        make_purchase(writing, "carl")
        make_express(writing, academic_levels=["undergraduate", "masters"])


def _queries(writing: Writing, who: str, path: str) -> int:
    client = writing.client(who)
    client.get(path)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def _all(writing: Writing) -> tuple[int, ...]:
    return (
        _queries(writing, "admin", BUNDLES),
        _queries(writing, "admin", PURCHASES),
        _queries(writing, "cleo", PURCHASES),
        _queries(writing, "admin", EXPRESS),
        _queries(writing, "cleo", EXPRESS),
    )


def test_listing_more_bundles_purchases_and_classes_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = _all(writing)
    # when
    _add(writing, 4)
    many = _all(writing)
    # then
    assert many == few
