"""Writes on reviews (issue 14, point 5), in the current writing schema.

* A client reviews their ``completed`` order (``order_review_create``): ``rating`` 1-5, ``text``
  (plain text, at most ``MAX_TEXT`` characters, stored as written: the front end escapes it), once
  per order; the writer is the order's. A client reviews the website (``website_review_create``)
  once they have a completed order, once.
* Every review starts ``pending``; the site's admins are notified (``writing_review.submitted``).
* An admin publishes or hides it (``review_publish``, ``review_hide``: pending -> published or
  hidden, published <-> hidden), under the review's lock (``locks.review_lock``); the client is
  told (``writing_review.published`` / ``writing_review.hidden``) and, for an order review
  published, its writer (``writing_review.about_you``, without the client's identity).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.reviews.access import can_moderate_reviews, is_client
from tenant_apps.writing.reviews.locks import review_lock
from tenant_apps.writing.reviews.models import MAX_TEXT, OrderReview, ReviewBase, ReviewStatus, WebsiteReview

R = TypeVar("R", bound=ReviewBase)

#: The ratings a review may give.
RATINGS = range(1, 6)
#: The statuses a moderation move may start from, by the status it goes to.
MOVES: dict[str, tuple[str, ...]] = {
    ReviewStatus.PUBLISHED: (ReviewStatus.PENDING, ReviewStatus.HIDDEN),
    ReviewStatus.HIDDEN: (ReviewStatus.PENDING, ReviewStatus.PUBLISHED),
}


def _checked(rating: Any, text: str) -> tuple[int, str]:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise ApplicationError("A rating is a whole number from 1 to 5.", details={"rating": ["From 1 to 5."]})
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ApplicationError(f"At most {MAX_TEXT} characters.", details={"text": [f"At most {MAX_TEXT} characters."]})
    return rating, text


def _notify_admins(review: ReviewBase, *, verb: str, facts: dict[str, Any]) -> None:
    from tenant_apps.accounts.selectors import users_with_roles
    from tenant_apps.kinds import ADMIN

    for admin in users_with_roles(ADMIN):
        notify(recipient=admin, verb=verb, target=review, extra_data=facts)


def _facts(review: ReviewBase) -> dict[str, Any]:
    facts: dict[str, Any] = {"review": review.pk, "rating": review.rating, "status": review.status}
    if isinstance(review, OrderReview):
        facts.update(kind="order", order=review.order_id)
    else:
        facts["kind"] = "website"
    return facts


def order_review_create(*, actor: Any, order: Order, rating: int, text: str = "") -> OrderReview:
    """Client ``actor`` reviews their completed ``order`` and its writer: a ``pending`` review
    (``rating`` 1-5, ``text``); admins are notified (``writing_review.submitted``); audited
    (``writing_review.created``).

    Raises 403 ``permission_denied`` (not the order's client), 400 ``validation_error``
    (``details.rating``, ``details.text``), 409 ``review_not_allowed`` (the order is not
    completed), 409 ``already_reviewed``.
    """
    if order.client_id != getattr(actor, "pk", None) or not is_client(actor):
        raise PermissionDenied("Only the order's client reviews it.")
    rating, text = _checked(rating, text)
    if order.status != OrderStatus.COMPLETED or order.writer_id is None:
        raise Conflict("An order is reviewed once it is completed.", code=ErrorCode.REVIEW_NOT_ALLOWED)
    if OrderReview.objects.filter(order_id=order.pk).exists():
        raise Conflict("You reviewed this order already.", code=ErrorCode.ALREADY_REVIEWED)
    try:
        with transaction.atomic():
            review = OrderReview.objects.create(
                order=order, client=actor, writer_id=order.writer_id, rating=rating, text=text
            )
            audit_record(actor=actor, verb="writing_review.created", target=review, changes=_facts(review))
            _notify_admins(review, verb="writing_review.submitted", facts=_facts(review))
    except IntegrityError:  # a concurrent review of the order committed first
        raise Conflict("You reviewed this order already.", code=ErrorCode.ALREADY_REVIEWED) from None
    return review


def website_review_create(*, actor: Any, rating: int, text: str = "") -> WebsiteReview:
    """Client ``actor`` reviews the website: a ``pending`` review; admins are notified
    (``writing_review.submitted``); audited (``writing_review.created``). A client reviews the
    site once they have at least one completed order (so reviews come from real customers), once.

    Raises 403 ``permission_denied`` (not a client), 400 ``validation_error``, 409
    ``review_not_allowed`` (no completed order yet), 409 ``already_reviewed``.
    """
    if not is_client(actor):
        raise PermissionDenied("Only clients review the website.")
    rating, text = _checked(rating, text)
    if not Order.objects.filter(client_id=actor.pk, status=OrderStatus.COMPLETED).exists():
        raise Conflict("The website is reviewed once an order of yours completed.", code=ErrorCode.REVIEW_NOT_ALLOWED)
    if WebsiteReview.objects.filter(client_id=actor.pk).exists():
        raise Conflict("You reviewed the website already.", code=ErrorCode.ALREADY_REVIEWED)
    try:
        with transaction.atomic():
            review = WebsiteReview.objects.create(client=actor, rating=rating, text=text)
            audit_record(actor=actor, verb="writing_review.created", target=review, changes=_facts(review))
            _notify_admins(review, verb="writing_review.submitted", facts=_facts(review))
    except IntegrityError:
        raise Conflict("You reviewed the website already.", code=ErrorCode.ALREADY_REVIEWED) from None
    return review


def _moderate(review: R, *, actor: Any, to: str) -> R:
    """Move ``review`` to ``to`` (``MOVES``) for admin ``actor`` under its lock; audited
    (``writing_review.published`` / ``.hidden``, ``[before, after]``); the client is notified,
    and for a published order review its writer."""
    if not can_moderate_reviews(actor):
        raise PermissionDenied("Only admins moderate reviews.")
    with transaction.atomic():
        locked = review_lock(type(review), review.pk)
        if locked.status not in MOVES[to]:
            raise Conflict(
                f"This review is {locked.status} already.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"status": locked.status},
            )
        before = locked.status
        locked.status, locked.moderated_by, locked.moderated_at = to, actor, timezone.now()
        locked.save(update_fields=["status", "moderated_by", "moderated_at", "updated_at"])
        audit_record(actor=actor, verb=f"writing_review.{to}", target=locked, changes={"status": [before, to]})
        facts = _facts(locked)
        notify(recipient=locked.client, verb=f"writing_review.{to}", target=locked, extra_data=facts)  # type: ignore[attr-defined]
        if isinstance(locked, OrderReview) and to == ReviewStatus.PUBLISHED:
            about = {"review": locked.pk, "rating": locked.rating, "order": locked.order_id}
            notify(recipient=locked.writer, verb="writing_review.about_you", target=locked, extra_data=about)
    return locked


def review_publish(*, review: R, actor: Any) -> R:
    """Admin ``actor`` publishes ``review`` (pending or hidden): public, and for an order review
    counted in its writer's average. Raises 403 ``permission_denied``, 409
    ``invalid_status_transition`` (published already)."""
    return _moderate(review, actor=actor, to=ReviewStatus.PUBLISHED)


def review_hide(*, review: R, actor: Any) -> R:
    """Admin ``actor`` hides ``review`` (pending or published): no longer public nor counted.
    Raises 403 ``permission_denied``, 409 ``invalid_status_transition`` (hidden already)."""
    return _moderate(review, actor=actor, to=ReviewStatus.HIDDEN)
