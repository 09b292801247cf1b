"""The bookings list runs a fixed number of queries, however many bookings it lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import BookingFactory
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, make_property
from tests.tenant_apps.rental.conftest import Rental


def _add(rental: Rental, n: int) -> None:
    with tenant_context(rental.tenant):
        for _ in range(n):  # each at its own property: hana's and hugo's, for gia and gus
            BookingFactory(property=make_property(rental.hana), guest=rental.gia, confirmed=True)
            BookingFactory(property=make_property(rental.hugo), guest=rental.gus)


def _queries(rental: Rental, who: str) -> int:
    client = rental.client(who)
    client.get(BOOKINGS)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(BOOKINGS)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "cora", "hana", "gia"])
def test_listing_more_bookings_runs_no_more_queries(rental: Rental, who: str) -> None:
    # given
    _add(rental, 1)
    few = _queries(rental, who)
    # when
    _add(rental, 5)
    many = _queries(rental, who)
    # then
    assert many == few
