"""Reads of bookings: querysets with what their serializers need, never writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet

from tenant_apps.rental.bookings.access import bookings_visible_to
from tenant_apps.rental.bookings.models import Booking, BookingStatus


def with_details(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """``bookings`` with their property, host, guest and invoice in one query."""
    return bookings.select_related("property", "property__host", "guest", "invoice")


def booking_list(*, user: Any) -> QuerySet[Booking]:
    """The bookings ``user`` may see (``access.bookings_visible_to``), newest first, with details."""
    return with_details(bookings_visible_to(user)).order_by("-created_at", "-id")


def bookings_due_to_expire(*, now: datetime) -> QuerySet[Booking]:
    """Pending bookings whose hold ran out by ``now``, oldest first (ids only are needed)."""
    return Booking.objects.filter(status=BookingStatus.PENDING, expires_at__lte=now).order_by("expires_at", "id")


def bookings_due_to_complete(*, today: date) -> QuerySet[Booking]:
    """Confirmed bookings whose check-out day has passed (before the site's ``today``)."""
    return Booking.objects.filter(status=BookingStatus.CONFIRMED, check_out__lt=today).order_by("check_out", "id")
