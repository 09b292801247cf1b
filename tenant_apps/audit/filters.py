"""Query filters of ``GET /api/v1/audit-log/`` (django-filter); invalid values answer 400."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters

from saas.api.filters import AwareDateTimeFilter, IdFilter
from tenant_apps.audit.models import AuditLogEntry


class AuditLogFilter(filters.FilterSet):
    """``actor`` (user id), ``verb`` (exact, or a prefix ending in ``.``), ``target_type``
    (``app_label.model``) with optional ``target_id``, and the range ``[since, until)`` of
    zone-aware ISO 8601 date-times."""

    actor = IdFilter(field_name="actor_id")
    verb = filters.CharFilter(method="filter_verb", max_length=100, help_text='Exact, or a prefix ending in "."')
    target_type = filters.CharFilter(method="filter_target_type", max_length=201, help_text='"app_label.model"')
    target_id = filters.CharFilter(field_name="target_id", max_length=64)
    since = AwareDateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601, inclusive")
    until = AwareDateTimeFilter(field_name="created_at", lookup_expr="lt", help_text="ISO 8601, exclusive")

    class Meta:
        model = AuditLogEntry
        fields = ("actor", "verb", "target_type", "target_id", "since", "until")

    def filter_verb(self, queryset: QuerySet[AuditLogEntry], name: str, value: str) -> QuerySet[AuditLogEntry]:
        return queryset.filter(verb__startswith=value) if value.endswith(".") else queryset.filter(verb=value)

    def filter_target_type(self, queryset: QuerySet[AuditLogEntry], name: str, value: str) -> QuerySet[AuditLogEntry]:
        app_label, _, model = value.partition(".")
        return queryset.filter(target_type__app_label=app_label, target_type__model=model)
