"""The inquiry list runs a fixed number of queries, however many inquiries it lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InquiryFactory, PropertyFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.inquiries.conftest import INQUIRIES, in_rental


def _add(rental: Rental, n: int) -> None:
    prop = in_rental(rental, PropertyFactory, host=rental.hana)
    for _ in range(n):
        in_rental(rental, InquiryFactory, author=rental.gia, agent=rental.cora, status="assigned", property=prop)
        in_rental(rental, InquiryFactory, author=rental.gus)


def _queries(rental: Rental, who: str) -> int:
    client = rental.client(who)
    client.get(INQUIRIES)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INQUIRIES)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "cora", "gia"])
def test_listing_more_inquiries_runs_no_more_queries(rental: Rental, who: str) -> None:
    # given
    _add(rental, 1)
    few = _queries(rental, who)
    # when
    _add(rental, 5)
    many = _queries(rental, who)
    # then
    assert many == few
