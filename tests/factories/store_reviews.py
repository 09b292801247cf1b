"""Reviews, made by ``store.reviews.services.review_create`` (aggregates recomputed, audited)."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.store.reviews import services
from tenant_apps.store.reviews.models import Review
from tests.factories.base import ServiceFactory
from tests.factories.store_orders import StoreOrderFactory


def _first_product(review: Any) -> Any:
    return review.order.items.order_by("id").first().product


class ReviewFactory(ServiceFactory[Review]):
    """A review by the buyer of a delivered ``order`` (default: a new one with one product, made
    by ``StoreOrderFactory``) of ``product`` (default: the order's first), rated 4."""

    class Meta:
        model = Review

    order = factory.SubFactory(StoreOrderFactory, delivered=True)
    product = factory.LazyAttribute(_first_product)
    author = factory.LazyAttribute(lambda review: review.order.buyer)
    rating = 4
    title = "Good"
    body = ""

    @classmethod
    def _create(cls, model_class: type[Review], *args: Any, **kwargs: Any) -> Review:
        return services.review_create(**kwargs)
