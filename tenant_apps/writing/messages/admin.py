"""The writing site's admin of order messages (read-only: a thread is written by its order's
people through the API, with contact details masked; the admin may read what was masked)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from tenant_apps.writing.messages.models import OrderMessage


@register(OrderMessage)
class OrderMessageAdmin(ServiceModelAdmin):
    """Order messages (read-only)."""

    list_display = ("id", "order", "author", "author_role", "masked", "created_at")
    list_filter = ("author_role", "masked", "created_at")
    search_fields = ("order__number", "author__email", "body")
    list_select_related = ("order", "author")
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderMessage]:
        """Messages with their order and author, attachments in one query (the change page)."""
        return super().get_queryset(request).select_related("order", "author").prefetch_related("attachments")
