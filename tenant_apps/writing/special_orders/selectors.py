"""Reads of special orders: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from tenant_apps.writing.special_orders.access import special_orders_visible_to
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder


def with_details(special_orders: QuerySet[SpecialOrder]) -> QuerySet[SpecialOrder]:
    """``special_orders`` with their client and writer, and their installments (in sequence order,
    with their invoices) prefetched: two queries however many there are."""
    installments = Installment.objects.select_related("invoice").order_by("sequence")
    return special_orders.select_related("client", "writer").prefetch_related(
        Prefetch("installments", queryset=installments)
    )


def special_order_list(*, user: Any, status: str | None = None) -> QuerySet[SpecialOrder]:
    """The special orders ``user`` may see (``access.special_orders_visible_to``), newest first,
    with details; only those in ``status`` when given."""
    found = special_orders_visible_to(user)
    if status:
        found = found.filter(status=status)
    return with_details(found).order_by("-created_at", "-id")
