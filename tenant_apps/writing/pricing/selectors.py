"""Reads of the writing pricing app: options, extras and the rate table, in the order offered."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.pricing.access import extra_services_visible_to, order_options_visible_to
from tenant_apps.writing.pricing.models import PageRate


def order_option_list(*, user: Any) -> QuerySet[Any]:
    """The options ``user`` may see, by group, position, name."""
    return order_options_visible_to(user).order_by("group", "position", "name", "id")


def extra_service_list(*, user: Any) -> QuerySet[Any]:
    """The extra services ``user`` may see, by position, name."""
    return extra_services_visible_to(user).order_by("position", "name", "id")


def page_rate_list() -> QuerySet[PageRate]:
    """Every page rate with its level, by level position then band (the views admit admins only)."""
    return PageRate.objects.select_related("academic_level").order_by(
        "academic_level__position", "academic_level_id", "deadline_hours_max", "id"
    )
