"""Helpers of the properties tests: hana's published and unpublished properties on ``echo``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.rental.properties.models import Property
from tests.factories import PropertyFactory
from tests.tenant_apps.rental.conftest import Rental


class Listings(SimpleNamespace):
    """hana's ``published`` property and her ``draft`` (unpublished)."""

    published: Property
    draft: Property


@pytest.fixture
def listings(rental: Rental) -> Listings:
    """hana's published property and her unpublished draft."""
    with tenant_context(rental.tenant):
        return Listings(
            published=PropertyFactory(host=rental.hana, title="Sunny loft"),
            draft=PropertyFactory(host=rental.hana, title="Secret draft", unpublished=True),
        )


def valid_property(**changes: object) -> dict[str, object]:
    """A body ``POST /api/v1/properties/`` accepts, with ``changes``."""
    body: dict[str, object] = {
        "title": "Harbour view",
        "description": "Two rooms by the sea.",
        "address": "5 Cais do Sodré",
        "city": "Lisbon",
        "country": "PT",
        "latitude": "38.705000",
        "longitude": "-9.145000",
        "nightly_price": "120.00",
        "currency": "USD",  # the test site's DEFAULT_CURRENCY
        "cleaning_fee": "30.00",
        "max_guests": 3,
        "bedrooms": 1,
        "check_in_time": "16:00",
        "check_out_time": "10:00",
        "minimum_nights": 2,
        "cancellation_policy": "strict",
    }
    return body | changes
