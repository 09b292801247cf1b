"""Query filters of the bookings list (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter
from tenant_apps.rental.bookings.models import Booking, BookingStatus


class BookingFilter(filters.FilterSet):
    """``GET /api/v1/bookings/`` filters: ``status`` (repeatable), ``property`` (an id),
    ``check_in_after`` / ``check_in_before`` (inclusive bounds on the check-in date),
    ``occupies_from`` / ``occupies_to``: bookings with at least one night in
    ``[occupies_from, occupies_to)``."""

    status = ColumnChoicesFilter(field_name="status", choices=BookingStatus.choices)
    property = IdFilter(field_name="property_id")
    check_in_after = filters.DateFilter(field_name="check_in", lookup_expr="gte")
    check_in_before = filters.DateFilter(field_name="check_in", lookup_expr="lte")
    occupies_from = filters.DateFilter(field_name="check_out", lookup_expr="gt")
    occupies_to = filters.DateFilter(field_name="check_in", lookup_expr="lt")

    class Meta:
        model = Booking
        fields = ("status", "property", "check_in_after", "check_in_before", "occupies_from", "occupies_to")
