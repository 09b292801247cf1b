"""Query filters of ``GET /api/v1/tickets/`` (django-filter); invalid values answer 400."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter, StrictBooleanFilter
from tenant_apps.tickets.models import Ticket, TicketPriority, TicketStatus


class TicketFilter(filters.FilterSet):
    """``status`` and ``priority`` (repeat for several: ``?status=open&status=answered``),
    ``assignee`` (user id), ``unassigned`` (``true``/``false``), ``created_by`` (user id),
    ``target_type`` (``app_label.model``) with optional ``target_id``."""

    status = ColumnChoicesFilter(choices=TicketStatus.choices)
    priority = ColumnChoicesFilter(choices=TicketPriority.choices)
    assignee = IdFilter(field_name="assignee_id")
    unassigned = StrictBooleanFilter(field_name="assignee", lookup_expr="isnull")
    created_by = IdFilter(field_name="created_by_id")
    target_type = filters.CharFilter(
        method="filter_target_type", max_length=100, help_text='"app_label.model", e.g. "school.course".'
    )
    target_id = filters.CharFilter(field_name="target_id", max_length=64)

    class Meta:
        model = Ticket
        fields = ("status", "priority", "assignee", "unassigned", "created_by", "target_type", "target_id")

    def filter_target_type(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        app_label, _, model = value.strip().lower().partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)
