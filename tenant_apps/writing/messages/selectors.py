"""Reads of order messages: querysets with what their serializers need, never writes."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.writing.messages.models import OrderMessage
from tenant_apps.writing.orders.models import Order


def order_thread(*, order: Order) -> QuerySet[OrderMessage]:
    """``order``'s messages, oldest first, with their authors and attachments (the caller checked
    the thread is the user's: ``access.access_thread``)."""
    return (
        OrderMessage.objects.filter(order=order)
        .select_related("author", "order")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def flagged_messages() -> QuerySet[OrderMessage]:
    """Every masked message of the site, newest first, with its order, author and attachments
    (support and admins: the view checks)."""
    return (
        OrderMessage.objects.filter(masked=True)
        .select_related("author", "order")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
    )
