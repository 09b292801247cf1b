"""Reads of order files: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.files.access import order_files_visible_to
from tenant_apps.writing.files.models import OrderFile
from tenant_apps.writing.orders.models import Order


def order_file_list(*, user: Any, order: Order) -> QuerySet[OrderFile]:
    """The files of ``order`` (which ``user`` sees) that ``user`` may read, oldest first, with
    their stored files, uploaders and order (``access.order_files_visible_to``)."""
    return (
        order_files_visible_to(user, order).select_related("file", "uploaded_by", "order").order_by("created_at", "id")
    )
