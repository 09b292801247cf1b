"""Which nights are taken: the one place that knows what occupies a property's calendar.

A night is taken by a booking that occupies it (``models.OCCUPIES``: pending, confirmed,
completed) or by a blocked period (``properties.BlockedPeriod``, manual or imported). Ranges are
``[check_in, check_out)``: a stay may start on another's check-out day.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from tenant_apps.rental.bookings.models import OCCUPIES, Booking
from tenant_apps.rental.properties.models import BlockedPeriod, Property


def overlapping_bookings(*, check_in: date, check_out: date) -> QuerySet[Booking]:
    """Bookings that occupy at least one night of ``[check_in, check_out)``."""
    return Booking.objects.filter(OCCUPIES, check_in__lt=check_out, check_out__gt=check_in)


def overlapping_blocks(*, check_in: date, check_out: date) -> QuerySet[BlockedPeriod]:
    """Blocked periods covering at least one night of ``[check_in, check_out)``."""
    return BlockedPeriod.objects.filter(start__lt=check_out, end__gt=check_in)


def available_properties(properties: QuerySet[Property], *, check_in: date, check_out: date) -> QuerySet[Property]:
    """``properties`` without those booked or blocked on any night of ``[check_in, check_out)``."""
    booked = overlapping_bookings(check_in=check_in, check_out=check_out).values("property_id")
    blocked = overlapping_blocks(check_in=check_in, check_out=check_out).values("property_id")
    return properties.exclude(Q(pk__in=booked) | Q(pk__in=blocked))


def is_available(prop: Property, *, check_in: date, check_out: date, exclude_booking: int | None = None) -> bool:
    """Whether every night of ``[check_in, check_out)`` at ``prop`` is free (a booking being
    changed, ``exclude_booking``, does not count against itself)."""
    bookings = overlapping_bookings(check_in=check_in, check_out=check_out).filter(property=prop)
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking)
    blocked = overlapping_blocks(check_in=check_in, check_out=check_out).filter(property=prop)
    return not bookings.exists() and not blocked.exists()
