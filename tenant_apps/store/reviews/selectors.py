"""Reads of reviews (never writes)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, QuerySet

from tenant_apps.store.reviews.access import reviews_visible_to
from tenant_apps.store.reviews.models import Review


def review_list(*, user: Any) -> QuerySet[Review]:
    """The reviews ``user`` may see (all), with their authors."""
    return reviews_visible_to(user).select_related("author")


def rating_aggregates(product_id: int) -> tuple[Decimal, int]:
    """``(avg_rating, ratings_count)`` of the product's reviews as stored now: the average to 2
    places (half up), ``0.00`` without reviews."""
    row = Review.objects.filter(product_id=product_id).aggregate(avg=Avg("rating"), count=Count("id"))
    count = int(row["count"] or 0)
    average = Decimal(str(row["avg"])) if count else Decimal("0")
    return average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), count
