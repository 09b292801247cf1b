"""Reads of writing orders: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from tenant_apps.writing.orders.access import orders_visible_to
from tenant_apps.writing.orders.models import Order, OrderRefund, WriterRequest


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """``orders`` with their options, client, writer, editor and invoice, and ``refunded`` (what
    their refunds add up to, ``None`` for none), in one query."""
    refunded = (
        OrderRefund.objects.filter(order=OuterRef("pk")).values("order").annotate(total=Sum("amount")).values("total")
    )
    return orders.annotate(refunded=Subquery(refunded)).select_related(
        "paper_type",
        "academic_level",
        "subject",
        "formatting_style",
        "language",
        "client",
        "writer",
        "editor",
        "invoice",
    )


def order_list(*, user: Any) -> QuerySet[Order]:
    """The orders ``user`` may see (``access.orders_visible_to``), newest first, with details."""
    return with_details(orders_visible_to(user)).order_by("-created_at", "-id")


def order_requests(*, order: Order) -> QuerySet[WriterRequest]:
    """The writers' requests for ``order``, oldest first, with the writers."""
    return WriterRequest.objects.filter(order=order).select_related("writer").order_by("created_at", "id")


def order_refunds(*, order: Order) -> QuerySet[OrderRefund]:
    """The refunds of ``order``, oldest first, with who decided them."""
    return OrderRefund.objects.filter(order=order).select_related("created_by").order_by("created_at", "id")
