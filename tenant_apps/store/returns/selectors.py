"""Reads of returns: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, Sum

from tenant_apps.store.returns.access import returns_visible_to
from tenant_apps.store.returns.models import ReturnItem, ReturnRequest, ReturnStatus

#: Returns whose units are spoken for: a unit is in at most one of these.
CLAIMING_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.RECEIVED, ReturnStatus.INSPECTED, ReturnStatus.APPROVED)


def with_details(returns: QuerySet[ReturnRequest]) -> QuerySet[ReturnRequest]:
    """``returns`` with their order and items (and the items' order lines) in a fixed number of queries."""
    return returns.select_related("order").prefetch_related(
        Prefetch("items", queryset=ReturnItem.objects.select_related("order_item").order_by("id"))
    )


def return_list(*, user: Any) -> QuerySet[ReturnRequest]:
    """The returns ``user`` may see (``access.returns_visible_to``), newest first, with details."""
    return with_details(returns_visible_to(user)).order_by("-created_at", "-id")


def units_in_returns(*, order_id: int, exclude_return: int | None = None) -> dict[int, int]:
    """``{order item id: units}`` of ``order_id`` in returns that are open or approved (every unit
    refunded or waiting to be; ``OrderItem.returned_quantity`` counts a part of these)."""
    rows = ReturnItem.objects.filter(return_request__order_id=order_id, return_request__status__in=CLAIMING_STATUSES)
    if exclude_return is not None:
        rows = rows.exclude(return_request_id=exclude_return)
    totals = rows.values("order_item_id").annotate(units=Sum("quantity"))
    return {row["order_item_id"]: int(row["units"]) for row in totals}
