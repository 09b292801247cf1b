"""Who may see and do what with reviews (store roles, ``tenant_apps/store/kind.py``).

| who | reviews |
| --- | --- |
| anyone, anonymous included | list and read every review |
| the buyer of a ``delivered`` or ``completed`` order | review each product of it once; edit and delete their own |
| ``admin`` | delete any (moderation) |

Objects a user may not see answer 404; changing someone else's review answers 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.store.orders.models import Order
from tenant_apps.store.reviews.models import Review

#: Delete any review.
REVIEW_MODERATOR_ROLES: tuple[str, ...] = (ADMIN,)


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    """Every review: reviews are public."""
    return Review.objects.all()


def can_edit_review(user: Any, review: Review) -> bool:
    """Change ``review``: its author."""
    return _active(user) and user.pk == review.author_id


def can_delete_review(user: Any, review: Review) -> bool:
    """Delete ``review``: its author, or an admin (moderation)."""
    return can_edit_review(user, review) or (_active(user) and user_has_role(user, *REVIEW_MODERATOR_ROLES))


def is_buyer(user: Any, order: Order) -> bool:
    """Whether ``user`` bought ``order``."""
    return _active(user) and user.pk == order.buyer_id


def access_review(*, user: Any, pk: Any) -> Review:
    """The review ``pk`` (``selectors.review_list`` shape); ``NotFound`` (404) when there is none."""
    from tenant_apps.store.reviews import selectors  # the answer's shape; selectors import this module

    try:
        key = int(pk)
    except (TypeError, ValueError):
        key = None
    review = selectors.review_list(user=user).filter(pk=key).first() if key is not None else None
    if review is None:
        raise NotFound("No such review.")
    return review


def reviewable_order(*, user: Any, pk: int) -> Order:
    """The order ``pk`` if ``user`` bought it; ``NotFound`` (404) otherwise (someone else's order
    answers like a missing one)."""
    order = Order.objects.filter(pk=pk, buyer_id=getattr(user, "pk", None)).first()
    if order is None or not _active(user):
        raise NotFound("No such order of yours.")
    return order


def reviewed_product(*, pk: int) -> Any:
    """The product ``pk`` a review is about; ``invalid_product`` (400) when there is none (whether
    it is in the order is the service's check)."""
    from saas.errors import ApplicationError, ErrorCode
    from tenant_apps.store.catalog.models import Product

    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise ApplicationError(
            "No such product.", code=ErrorCode.INVALID_PRODUCT, details={"product": ["No such product."]}
        )
    return product
