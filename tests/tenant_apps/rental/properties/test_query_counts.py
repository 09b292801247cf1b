"""The property list runs a fixed number of queries, however many properties it shows (host,
amenities, photos and their files loaded per page, not per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.factories import AmenityFactory, PropertyFactory
from tests.tenant_apps.rental.conftest import Rental


def _add(rental: Rental, n: int) -> None:
    with tenant_context(rental.tenant):
        wifi = AmenityFactory()
        for host in [rental.hana, rental.hugo] * (n // 2):
            PropertyFactory(host=host, amenities=[wifi], with_photo=True)


def _queries(rental: Rental, who: str | None) -> int:
    client = rental.client(who)
    client.get("/api/v1/properties/")  # warm: the user's roles, the tenant
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/properties/")
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", [None, "hana", "admin"])
def test_the_property_list_costs_the_same_queries_for_two_rows_or_ten(rental: Rental, who: str | None) -> None:
    # given two properties, then ten
    _add(rental, 2)
    two = _queries(rental, who)
    _add(rental, 8)
    ten = _queries(rental, who)
    # then
    assert ten == two
