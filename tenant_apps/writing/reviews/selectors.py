"""Reads of reviews: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.writing.kind import WRITER
from tenant_apps.writing.reviews.access import order_reviews_visible_to, website_reviews_visible_to
from tenant_apps.writing.reviews.models import OrderReview, ReviewStatus, WebsiteReview

#: The published reviews of a writer, as a filter on their orders' ``client_review`` (for
#: ``Count``/``Avg`` over ``writing_assignments``: each order has at most one review, so the join
#: never repeats a row).
PUBLISHED_REVIEW = Q(writing_assignments__client_review__status=ReviewStatus.PUBLISHED)


def writer_review_figures() -> dict[str, Any]:
    """Annotations of a writers' queryset: ``reviews`` (how many published order reviews are about
    them) and ``review_average`` (their average rating, ``None`` before the first), for
    ``writers.selectors.with_figures``."""
    return {
        "reviews": Count("writing_assignments__client_review", filter=PUBLISHED_REVIEW, distinct=True),
        "review_average": Avg("writing_assignments__client_review__rating", filter=PUBLISHED_REVIEW),
    }


def order_review_list(*, user: Any) -> QuerySet[OrderReview]:
    """The order reviews ``user`` may see (``access.order_reviews_visible_to``), newest first, with
    their order, client and writer (one query)."""
    return order_reviews_visible_to(user).select_related("order", "client", "writer").order_by("-created_at", "-id")


def website_review_list(*, user: Any) -> QuerySet[WebsiteReview]:
    """The website reviews ``user`` may see with their status, newest first, with their clients."""
    return website_reviews_visible_to(user).select_related("client").order_by("-created_at", "-id")


def published_website_reviews() -> QuerySet[WebsiteReview]:
    """The published website reviews, newest first, with their clients (public)."""
    return (
        WebsiteReview.objects.filter(status=ReviewStatus.PUBLISHED)
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def writer_published_reviews(*, writer_id: Any) -> QuerySet[OrderReview]:
    """The published reviews about writer ``writer_id``, newest first, with their clients
    (public: shown by first name)."""
    return (
        OrderReview.objects.filter(writer_id=writer_id, status=ReviewStatus.PUBLISHED)
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def is_writer(pk: Any) -> bool:
    """Whether user ``pk`` holds the writer role (a public writer page exists for them)."""
    return User.objects.filter(pk=pk, groups__name=WRITER).exists()
