"""Query filters of the fines list (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter
from tenant_apps.writing.fines.models import AppealStatus, Fine, FineKind, FineStatus


class FineFilter(filters.FilterSet):
    """``GET /api/v1/fines/`` filters: ``status`` and ``kind`` (repeatable), ``writer`` (an id),
    ``appeal`` (the appeal's status: ``pending``, ``accepted``, ``rejected``)."""

    status = ColumnChoicesFilter(field_name="status", choices=FineStatus.choices)
    kind = ColumnChoicesFilter(field_name="kind", choices=FineKind.choices)
    writer = IdFilter(field_name="writer_id")
    appeal = filters.ChoiceFilter(field_name="appeal__status", choices=AppealStatus.choices)

    class Meta:
        model = Fine
        fields = ("status", "kind", "writer", "appeal")
