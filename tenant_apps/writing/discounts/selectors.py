"""Reads of discounts: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tenant_apps.writing.discounts.access import discounts_visible_to
from tenant_apps.writing.discounts.models import Discount, DiscountUse
from tenant_apps.writing.discounts.rules import running_campaigns


def discount_list(*, user: Any) -> QuerySet[Discount]:
    """The discounts ``user`` may see (admins: all), newest first, with their options."""
    return discounts_visible_to(user).prefetch_related("options").order_by("-created_at", "-id")


def campaign_list() -> QuerySet[Discount]:
    """The campaigns running now (public: no limits shown), oldest first."""
    return running_campaigns(timezone.now())


def discount_use_list(*, discount: Discount) -> QuerySet[DiscountUse]:
    """The uses of ``discount``, newest first, with their client and order."""
    return (
        DiscountUse.objects.filter(discount=discount).select_related("client", "order").order_by("-created_at", "-id")
    )
