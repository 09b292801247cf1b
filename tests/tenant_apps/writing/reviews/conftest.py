"""Helpers of the writing reviews tests: URLs and reviews made through the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.reviews.models import OrderReview, WebsiteReview
from tests.factories import OrderReviewFactory, WebsiteReviewFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order
from tests.tenant_apps.writing.referrals.conftest import drop_loyalty_rows

ORDER_REVIEWS = "/api/v1/reviews/orders/"
WEBSITE_REVIEWS = "/api/v1/reviews/website/"
WEBSITE_MANAGE = "/api/v1/reviews/website/manage/"


def writer_reviews_url(pk: Any) -> str:
    """``/api/v1/reviews/writers/{pk}/``."""
    return f"/api/v1/reviews/writers/{pk}/"


def order_review(writing: Writing, status: str = "pending", rating: int = 5, **order: Any) -> OrderReview:
    """cleo's review of a completed order of hers (wren writing it), moderated to ``status``."""
    made = make_order(writing, "completed", **order)
    with tenant_context(writing.tenant):
        return OrderReviewFactory(order=made, rating=rating, status=status)


def website_review(writing: Writing, who: str = "cleo", status: str = "pending", rating: int = 5) -> WebsiteReview:
    """``who``'s review of the site (after a completed order of theirs), moderated to ``status``."""
    user = getattr(writing, who)
    make_order(writing, "completed", client=user)
    with tenant_context(writing.tenant):
        return WebsiteReviewFactory(client=user, rating=rating, status=status)


@pytest.fixture
def committed_reviews(committed: Callable[[Callable[[], Any]], Any]) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """The writing tests' ``committed``, deleting the review rows (which name committed users and
    orders) and the loyalty points the completions earned before it cleans up the rest."""

    def drop() -> None:
        OrderReview.objects.all().delete()
        WebsiteReview.objects.all().delete()
        drop_loyalty_rows()

    try:
        yield committed
    finally:
        committed(drop)
