"""The database itself refuses overlapping bookings of one property (the exclusion constraint).

Rows are written with the ORM on purpose, not by the factories: the services check the calendar
under the property's lock before they insert, so going through them would never reach the
constraint; these tests prove the database alone refuses the overlap, as it would a future bug
or a writer that skips the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.properties.models import Property


def _property(host: User) -> Property:
    return Property.objects.create(
        host=host,
        title="Flat",
        address="1 Main St",
        city="Lisbon",
        country="PT",
        latitude=Decimal("38.7"),
        longitude=Decimal("-9.1"),
        nightly_price=Decimal("100.00"),
        currency="EUR",
        max_guests=2,
    )


def _book(prop: Property, guest: User, check_in: date, check_out: date, status: str = BookingStatus.PENDING) -> Booking:
    nights = (check_out - check_in).days
    return Booking.objects.create(
        property=prop,
        guest=guest,
        check_in=check_in,
        check_out=check_out,
        guests=1,
        status=status,
        currency="EUR",
        nights=nights,
        nightly_price=Decimal("100.00"),
        cleaning_fee=Decimal("0.00"),
        total=Decimal("100.00") * nights,
    )


def test_overlapping_nights_of_one_property_are_refused_by_the_database(echo: Tenant) -> None:
    with tenant_context(echo):
        # given a booking of nights 10..13
        host = User.objects.get(email="admin@echo.test")
        prop = _property(host)
        _book(prop, host, date(2030, 1, 10), date(2030, 1, 13))
        # when another booking takes the night of the 12th, then
        with pytest.raises(IntegrityError), transaction.atomic():
            _book(prop, host, date(2030, 1, 12), date(2030, 1, 14))
        # a stay starting on the check-out day, a cancelled overlap, and another property are fine
        _book(prop, host, date(2030, 1, 13), date(2030, 1, 15))
        _book(prop, host, date(2030, 1, 11), date(2030, 1, 12), status=BookingStatus.CANCELLED)
        _book(_property(host), host, date(2030, 1, 10), date(2030, 1, 13))
