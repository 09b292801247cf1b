"""Helpers of the bookings tests: properties (a temporary builder until the properties app's
factory lands), booking URLs, and a booking made through the service.

TEMPORARY: ``make_property`` writes ``Property`` rows directly; switch it to the properties
helper's factory at merge.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from tenant_apps.accounts.models import User
from tenant_apps.rental.properties.models import Property
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.factories.base import in_days

BOOKINGS = "/api/v1/bookings/"
QUOTE = "/api/v1/bookings/quote/"


def booking_url(pk: int, suffix: str = "") -> str:
    """``/api/v1/bookings/{pk}/`` plus ``suffix`` (``"pay/"``, ``"cancel/"``)."""
    return f"{BOOKINGS}{pk}/{suffix}"


def make_property(host: User, **fields: Any) -> Property:
    """A published property of ``host`` in the current schema: 100.00 a night, 30.00 cleaning, up to
    4 guests, at least 2 nights, moderate policy, in ``DEFAULT_CURRENCY`` (the wallets')."""
    values: dict[str, Any] = {
        "title": "Sea View Flat",
        "address": "1 Rua Augusta",
        "city": "Lisbon",
        "country": "PT",
        "latitude": Decimal("38.710000"),
        "longitude": Decimal("-9.140000"),
        "nightly_price": Decimal("100.00"),
        "currency": settings.DEFAULT_CURRENCY,
        "cleaning_fee": Decimal("30.00"),
        "max_guests": 4,
        "minimum_nights": 2,
        "cancellation_policy": "moderate",
        **fields,
    }
    return Property.objects.create(host=host, **values)


def stay(prop: Property, start: int = 30, nights: int = 3, guests: int = 2) -> dict[str, Any]:
    """A request body booking ``nights`` nights of ``prop`` from ``start`` days ahead."""
    return {
        "property": prop.pk,
        "check_in": in_days(start).isoformat(),
        "check_out": in_days(start + nights).isoformat(),
        "guests": guests,
    }


def days(start: int, nights: int) -> tuple[date, date]:
    """``(check_in, check_out)`` ``start`` days ahead for ``nights`` nights (the site's dates)."""
    return in_days(start), in_days(start + nights)
