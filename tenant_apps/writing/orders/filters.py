"""Query filters of the orders list (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import AwareDateTimeFilter, ColumnChoicesFilter, IdFilter
from tenant_apps.writing.orders.models import Order, OrderStatus


class OrderFilter(filters.FilterSet):
    """``GET /api/v1/orders/`` filters: ``status`` (repeatable), ``academic_level`` (an option
    id), ``deadline_after`` / ``deadline_before`` (inclusive, aware datetimes); ``ordering``:
    ``created_at``, ``deadline``, ``total`` (``-`` for descending; default newest first)."""

    status = ColumnChoicesFilter(field_name="status", choices=OrderStatus.choices)
    academic_level = IdFilter(field_name="academic_level_id")
    deadline_after = AwareDateTimeFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = AwareDateTimeFilter(field_name="deadline", lookup_expr="lte")
    ordering = filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("deadline", "deadline"), ("total", "total"))
    )

    class Meta:
        model = Order
        fields = ("status", "academic_level", "deadline_after", "deadline_before")
