"""Reads of fines: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.fines.access import fines_visible_to
from tenant_apps.writing.fines.models import Fine


def fine_list(*, user: Any) -> QuerySet[Fine]:
    """The fines ``user`` may see (``access.fines_visible_to``), newest first, with their writer,
    order, issuer and appeal (one query for any number)."""
    return (
        fines_visible_to(user)
        .select_related("writer", "order", "issued_by", "appeal", "appeal__decided_by")
        .order_by("-created_at", "-id")
    )
