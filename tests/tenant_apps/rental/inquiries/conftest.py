"""Helpers of the inquiries tests: URLs, opening an inquiry through the API, and properties and
bookings to name in one.

Properties and bookings are written with the ORM here until the properties and bookings apps'
factories land (``tests/factories/rental_*.py``); switch to them then.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tenant_apps.accounts.models import User
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.properties.models import Property, PropertyStatus
from tests.fixture_types import ApiResponse
from tests.tenant_apps.rental.conftest import Rental

INQUIRIES = "/api/v1/inquiries/"


def inquiry_url(pk: Any, action: str | None = None) -> str:
    """``/api/v1/inquiries/{pk}/`` or ``.../{pk}/{action}/``."""
    return f"{INQUIRIES}{pk}/" + (f"{action}/" if action else "")


def open_inquiry(client: APIClient, **fields: Any) -> dict[str, Any]:
    """Open an inquiry through the API (201 expected); returns the answer's JSON."""
    body = {"subject": "Is the flat quiet?", "message": "We are light sleepers.", **fields}
    response = client.post(INQUIRIES, body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def ids(response: ApiResponse) -> set[int]:
    """The ids of a list answer's page (200 expected)."""
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def make_property(host: User, *, published: bool = True, title: str = "Flat by the river") -> Property:
    """A property of ``host`` in the current schema (ORM, see the module docstring)."""
    return Property.objects.create(
        host=host,
        title=title,
        address="1 Main St",
        city="Lisbon",
        country="PT",
        latitude=Decimal("38.7"),
        longitude=Decimal("-9.1"),
        nightly_price=Decimal("100.00"),
        currency="EUR",
        max_guests=2,
        status=PropertyStatus.PUBLISHED if published else PropertyStatus.UNPUBLISHED,
    )


def make_booking(prop: Property, guest: User, *, check_in: date | None = None, nights: int = 2) -> Booking:
    """A confirmed booking of ``prop`` by ``guest`` in the current schema (ORM, see the module docstring)."""
    start = check_in or timezone.localdate() + timedelta(days=30)
    return Booking.objects.create(
        property=prop,
        guest=guest,
        check_in=start,
        check_out=start + timedelta(days=nights),
        guests=1,
        status=BookingStatus.CONFIRMED,
        currency="EUR",
        nights=nights,
        nightly_price=Decimal("100.00"),
        cleaning_fee=Decimal("0.00"),
        total=Decimal("100.00") * nights,
    )


def in_rental(rental: Rental, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` in the rental site's schema."""
    with tenant_context(rental.tenant):
        return fn(*args, **kwargs)
