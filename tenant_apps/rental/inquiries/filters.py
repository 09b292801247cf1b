"""Query filters of ``GET /api/v1/inquiries/`` (django-filter); invalid values answer 400."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter
from tenant_apps.rental.inquiries.models import Inquiry, InquirySeverity, InquiryStatus


class InquiryFilter(filters.FilterSet):
    """``status`` and ``severity`` (repeat for several: ``?status=new&status=assigned``),
    ``assigned_to`` (an agent's user id), ``assigned`` (``me``: assigned to you; ``none``: the
    unassigned queue), ``property`` and ``booking`` (ids)."""

    status = ColumnChoicesFilter(choices=InquiryStatus.choices)
    severity = ColumnChoicesFilter(choices=InquirySeverity.choices)
    assigned_to = IdFilter(field_name="assigned_to_id")
    assigned = filters.ChoiceFilter(
        choices=(("me", "me"), ("none", "none")), method="filter_assigned", help_text="me or none."
    )
    property = IdFilter(field_name="property_id")
    booking = IdFilter(field_name="booking_id")

    class Meta:
        model = Inquiry
        fields = ("status", "severity", "assigned_to", "assigned", "property", "booking")

    def filter_assigned(self, queryset: QuerySet[Inquiry], name: str, value: Any) -> QuerySet[Inquiry]:
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assigned_to_id=getattr(user, "pk", None))
        return queryset.filter(assigned_to__isnull=True)
