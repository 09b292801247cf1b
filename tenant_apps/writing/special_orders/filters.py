"""Query filters of the special orders list: ``?status=``."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.special_orders.models import SpecialOrder, SpecialOrderStatus


class SpecialOrderFilter(filters.FilterSet):
    """``status`` (repeatable): one of ``SpecialOrderStatus`` (400 ``validation_error`` otherwise)."""

    status = ColumnChoicesFilter(field_name="status", choices=SpecialOrderStatus.choices)

    class Meta:
        model = SpecialOrder
        fields = ("status",)
