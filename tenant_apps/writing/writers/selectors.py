"""Reads of writer levels and profiles: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.writing.orders.models import OrderStatus
from tenant_apps.writing.writers.access import writer_levels_visible_to, writers_visible_to
from tenant_apps.writing.writers.models import WriterLevel

_COMPLETED = Q(writing_assignments__status=OrderStatus.COMPLETED)


def with_figures(writers: QuerySet[User]) -> QuerySet[User]:
    """``writers`` with their profile's level (``writer_profile__level``), ``completed_orders``
    (orders they completed) and, over the PUBLISHED reviews of their orders (the reviews app:
    moderated by the site's admins), ``rated_orders`` (how many) and ``average_rating`` (``None``
    before the first), in one query. The ``rating`` a client gives when approving an order
    (``Order.rating``) stays on the order and no longer counts here."""
    from tenant_apps.writing.reviews.selectors import writer_review_figures

    figures = writer_review_figures()
    return (
        writers.select_related("writer_profile__level")
        .annotate(
            completed_orders=Count("writing_assignments", filter=_COMPLETED, distinct=True),
            rated_orders=figures["reviews"],
            average_rating=figures["review_average"],
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
