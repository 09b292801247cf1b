"""Reviews of writing orders and of the site, made by ``writing.reviews.services``.

``OrderReviewFactory()`` has the client of a completed order (default: a new one, through
``OrderFactory``) review it (``order_review_create``): ``pending``; traits ``published`` and
``hidden`` have the site's admin moderate it (``review_publish`` / ``review_hide``).
``WebsiteReviewFactory(client=...)`` has a client (default: the client of a new completed order)
review the site, with the same traits.
"""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.writing.reviews import services
from tenant_apps.writing.reviews.models import OrderReview, ReviewStatus, WebsiteReview
from tests.factories.base import ServiceFactory, site_admin
from tests.factories.writing_orders import OrderFactory


def _moderated(review: Any, status: str) -> Any:
    if status == ReviewStatus.PUBLISHED:
        return services.review_publish(review=review, actor=site_admin())
    if status == ReviewStatus.HIDDEN:
        return services.review_hide(review=review, actor=site_admin())
    return review


class OrderReviewFactory(ServiceFactory[OrderReview]):
    """A review (``rating``, default 5; ``text``) of ``order`` (default: a new completed order) by
    its client, then moderated to ``status`` (traits ``published``, ``hidden``)."""

    class Meta:
        model = OrderReview

    class Params:
        published = factory.Trait(status=ReviewStatus.PUBLISHED)
        hidden = factory.Trait(status=ReviewStatus.HIDDEN)

    order = factory.SubFactory(OrderFactory, completed=True)
    rating = 5
    text = factory.Sequence(lambda n: f"Good work {n}.")
    status = ReviewStatus.PENDING

    @classmethod
    def _create(cls, model_class: type[OrderReview], *args: Any, **kwargs: Any) -> OrderReview:
        order = kwargs["order"]
        review = services.order_review_create(
            actor=order.client, order=order, rating=kwargs["rating"], text=kwargs["text"]
        )
        moderated: OrderReview = _moderated(review, kwargs["status"])
        return moderated


class WebsiteReviewFactory(ServiceFactory[WebsiteReview]):
    """A review of the site (``rating``, default 5; ``text``) by ``client`` (default: the client of
    a new completed order), then moderated to ``status`` (traits ``published``, ``hidden``)."""

    class Meta:
        model = WebsiteReview

    class Params:
        published = factory.Trait(status=ReviewStatus.PUBLISHED)
        hidden = factory.Trait(status=ReviewStatus.HIDDEN)

    client = factory.LazyFunction(lambda: OrderFactory(completed=True).client)
    rating = 5
    text = factory.Sequence(lambda n: f"A fine site {n}.")
    status = ReviewStatus.PENDING

    @classmethod
    def _create(cls, model_class: type[WebsiteReview], *args: Any, **kwargs: Any) -> WebsiteReview:
        review = services.website_review_create(actor=kwargs["client"], rating=kwargs["rating"], text=kwargs["text"])
        moderated: WebsiteReview = _moderated(review, kwargs["status"])
        return moderated
