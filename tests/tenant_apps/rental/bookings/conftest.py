"""Helpers of the bookings tests: the flat they book (``PropertyFactory`` with the prices the
tests assert on), booking URLs and request bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings

from tenant_apps.accounts.models import User
from tenant_apps.rental.properties.models import Property
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.factories import PropertyFactory
from tests.factories.base import in_days

BOOKINGS = "/api/v1/bookings/"
QUOTE = "/api/v1/bookings/quote/"


def booking_url(pk: int, suffix: str = "") -> str:
    """``/api/v1/bookings/{pk}/`` plus ``suffix`` (``"pay/"``, ``"cancel/"``)."""
    return f"{BOOKINGS}{pk}/{suffix}"


#: The flat the bookings tests price: 100.00 a night, 30.00 cleaning, up to 4 guests, at least 2
#: nights, moderate policy, in ``DEFAULT_CURRENCY`` (the wallets', so a completed stay pays out).
FLAT: dict[str, Any] = {
    "title": "Sea View Flat",
    "nightly_price": "100.00",
    "cleaning_fee": "30.00",
    "max_guests": 4,
    "minimum_nights": 2,
    "cancellation_policy": "moderate",
}


def make_property(host: User, **fields: Any) -> Property:
    """``host``'s published ``FLAT`` (with ``fields`` changed), listed through ``property_create``
    (``PropertyFactory``) in the current schema."""
    return PropertyFactory(host=host, **{"currency": settings.DEFAULT_CURRENCY, **FLAT, **fields})


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
