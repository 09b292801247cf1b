"""Reads of bundles, purchases and express classes: querysets with what their serializers need,
never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.bundles.access import (
    bundles_visible_to,
    express_classes_visible_to,
    purchases_visible_to,
)
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, ExpressClass


def bundle_list(*, user: Any) -> QuerySet[Bundle]:
    """The bundles ``user`` may see (``access.bundles_visible_to``), cheapest first."""
    return bundles_visible_to(user).order_by("price", "id")


def purchase_list(*, user: Any) -> QuerySet[BundlePurchase]:
    """The bundle purchases ``user`` may see (``access.purchases_visible_to``), newest first, with
    their bundle, client and invoice."""
    return purchases_visible_to(user).select_related("bundle", "client", "invoice").order_by("-created_at", "-id")


def express_class_list(*, user: Any) -> QuerySet[ExpressClass]:
    """The express classes ``user`` may see (``access.express_classes_visible_to``), by name, with
    their academic levels."""
    return express_classes_visible_to(user).prefetch_related("academic_levels").order_by("name", "id")
