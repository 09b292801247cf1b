"""Writes on reviews (issue "The store kind", point 8; seed 001: verified-purchase reviews, one
per product per order, aggregates on the product).

* Only the buyer of a ``delivered`` or ``completed`` order reviews a product of that order, once
  per product and order (checked under the product's lock; the unique constraint backs it up,
  ``already_reviewed``, 409). ``rating`` is a whole number 1-5.
* The author edits (``rating``, ``title``, ``body``) and deletes their review; an admin may delete
  any (moderation).
* Every create, edit and delete recomputes the product's ``avg_rating`` and ``ratings_count``
  from its reviews, in the same transaction, under the product's row lock
  (``locks.rated_product_lock``), taken before the review row is written: concurrent reviews of
  one product recompute one after the other, each seeing the others' committed rows.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.reviews.access import can_delete_review, can_edit_review, is_buyer
from tenant_apps.store.reviews.locks import rated_product_lock
from tenant_apps.store.reviews.models import Review
from tenant_apps.store.reviews.selectors import rating_aggregates

#: Orders whose products may be reviewed.
REVIEWABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)
EDITABLE_FIELDS = ("rating", "title", "body")


def _check_rating(rating: Any) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError("A rating is a whole number from 1 to 5.", details={"rating": ["From 1 to 5."]})
    return rating


def _aggregates(product_id: int) -> Any:
    """The product's aggregates read from its reviews (a seam the race tests slow down)."""
    return rating_aggregates(product_id)


def _recompute(product: Product) -> None:
    """Store the locked ``product``'s ``avg_rating`` and ``ratings_count``."""
    product.avg_rating, product.ratings_count = _aggregates(product.pk)
    product.save(update_fields=["avg_rating", "ratings_count", "updated_at"])


def _facts(review: Review) -> dict[str, Any]:
    return {"review": review.pk, "product": review.product_id, "order": review.order_id, "rating": review.rating}


def review_create(
    *, author: Any, order: Order, product: Product, rating: int, title: str = "", body: str = ""
) -> Review:
    """``author`` reviews ``product`` of their ``order``; the product's aggregates are recomputed
    and its seller is notified (``review_posted``).

    Raises ``ApplicationError``: ``validation_error`` (400, rating), ``permission_denied`` (403,
    not the order's buyer), ``invalid_product`` (400, not in the order), ``order_not_delivered``
    (409), ``already_reviewed`` (409).
    """
    rating = _check_rating(rating)
    if not is_buyer(author, order):
        raise PermissionDenied("Only the order's buyer reviews its products.")
    if order.status not in REVIEWABLE_STATUSES:
        raise Conflict("Products are reviewed once the order is delivered.", code=ErrorCode.ORDER_NOT_DELIVERED)
    if not order.items.filter(product_id=product.pk).exists():
        raise ApplicationError(
            "This product is not in the order.",
            code=ErrorCode.INVALID_PRODUCT,
            details={"product": ["Not in the order."]},
        )
    with transaction.atomic():
        locked = rated_product_lock(product.pk)
        if Review.objects.filter(order_id=order.pk, product_id=product.pk).exists():
            raise _already_reviewed()
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    product=locked,
                    order=order,
                    author=author,
                    rating=rating,
                    title=(title or "").strip()[:200],
                    body=(body or "").strip(),
                )
        except IntegrityError:
            raise _already_reviewed() from None
        _recompute(locked)
        audit_record(actor=author, verb="review.created", target=review, changes=_facts(review))
        if locked.seller_id != author.pk:
            notify(
                recipient=locked.seller,
                verb="review_posted",
                target=review,
                extra_data={**_facts(review), "product_title": locked.title},
            )
    return review


def _already_reviewed() -> ApplicationError:
    return Conflict("You reviewed this product of this order already.", code=ErrorCode.ALREADY_REVIEWED)


def review_update(*, review: Review, actor: Any, changes: dict[str, Any]) -> Review:
    """The author changes ``rating``, ``title`` or ``body`` of ``review``; the aggregates follow.

    Raises ``ApplicationError``: ``permission_denied`` (403), ``validation_error`` (400).
    """
    if not can_edit_review(actor, review):
        raise PermissionDenied("Only its author changes a review.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError("These fields cannot be changed.", details={f: ["Not editable."] for f in unknown})
    if "rating" in changes:
        _check_rating(changes["rating"])
    with transaction.atomic():
        product = rated_product_lock(review.product_id)
        review = Review.objects.select_for_update(no_key=True).get(pk=review.pk)
        before = {field: getattr(review, field) for field in changes}
        for field, value in changes.items():
            setattr(review, field, value.strip() if isinstance(value, str) else value)
        review.save(update_fields=[*changes, "updated_at"])
        _recompute(product)
        audit_record(
            actor=actor,
            verb="review.updated",
            target=review,
            changes={f: [before[f], getattr(review, f)] for f in changes},
        )
    return review


def review_delete(*, review: Review, actor: Any) -> None:
    """The author (or an admin) deletes ``review``; the aggregates follow.

    Raises ``ApplicationError``: ``permission_denied`` (403).
    """
    if not can_delete_review(actor, review):
        raise PermissionDenied("Only its author or an admin deletes a review.")
    with transaction.atomic():
        product = rated_product_lock(review.product_id)
        facts = _facts(review)
        Review.objects.filter(pk=review.pk).delete()
        _recompute(product)
        audit_record(actor=actor, verb="review.deleted", target=product, changes=facts)
