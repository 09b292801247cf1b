"""Reads of writer levels and profiles: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.writing.orders.models import OrderStatus
from tenant_apps.writing.writers.access import writer_levels_visible_to, writers_visible_to
from tenant_apps.writing.writers.models import WriterLevel

_COMPLETED = Q(writing_assignments__status=OrderStatus.COMPLETED)


def with_figures(writers: QuerySet[User]) -> QuerySet[User]:
    """``writers`` with their profile's level (``writer_profile__level``) and, over the orders
    they completed, ``completed_orders``, ``rated_orders`` and ``average_rating`` (``None`` when
    none is rated), in one query."""
    return (
        writers.select_related("writer_profile__level")
        .annotate(
            completed_orders=Count("writing_assignments", filter=_COMPLETED, distinct=True),
            rated_orders=Count(
                "writing_assignments",
                filter=_COMPLETED & Q(writing_assignments__rating__isnull=False),
                distinct=True,
            ),
            average_rating=Avg("writing_assignments__rating", filter=_COMPLETED),
        )
        .order_by("full_name", "id")
    )


def writer_list(*, user: Any) -> QuerySet[User]:
    """The writers ``user`` may see (``access.writers_visible_to``), by name, with their figures."""
    return with_figures(writers_visible_to(user))


def writer_level_list(*, user: Any) -> QuerySet[WriterLevel]:
    """The levels ``user`` may list, by position, each with ``writers`` (how many profiles name it)."""
    return writer_levels_visible_to(user).annotate(writers=Count("profiles")).order_by("position", "name", "id")


def default_level() -> WriterLevel | None:
    """The default level (``is_default``); ``None`` only on a site whose admins removed every level
    (they cannot remove the default one, so only before the template's defaults)."""
    return WriterLevel.objects.filter(is_default=True).first()
