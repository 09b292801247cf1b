"""Who may see and do what with reviews.

| action | who |
| --- | --- |
| review a completed order (and its writer) | the order's client |
| review the website | clients with a completed order |
| list order reviews | admins and support: all; a client: theirs; a writer: the published ones about them |
| list website reviews with their status | admins and support: all; a client: theirs |
| publish, hide a review | admins |
| read published website reviews, a writer's published reviews | anyone, signed in or not |

A review a user may not see answers 404, like a missing one (``access_order_review``,
``access_website_review``). Writers never see who reviewed them; clients see their writer by id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT, SUPPORT, WRITER
from tenant_apps.writing.reviews.models import OrderReview, ReviewStatus, WebsiteReview

#: Roles that publish and hide reviews.
MODERATOR_ROLES: tuple[str, ...] = (ADMIN,)
#: Roles that read every review, whatever its status.
STAFF_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Roles that list order reviews (their own or about them, for the last two).
ORDER_REVIEW_READERS: tuple[str, ...] = (ADMIN, SUPPORT, CLIENT, WRITER)
#: Roles that list website reviews with their status (their own, for clients).
WEBSITE_REVIEW_READERS: tuple[str, ...] = (ADMIN, SUPPORT, CLIENT)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_moderate_reviews(user: Any) -> bool:
    """Whether ``user`` publishes and hides reviews (an active admin)."""
    return _active(user) and user_has_role(user, *MODERATOR_ROLES)


def is_review_staff(user: Any) -> bool:
    """Whether ``user`` reads every review and who wrote it (active admins and support)."""
    return _active(user) and user_has_role(user, *STAFF_ROLES)


def can_list_order_reviews(user: Any) -> bool:
    """Whether ``user`` lists order reviews (admins, support, clients, writers)."""
    return _active(user) and user_has_role(user, *ORDER_REVIEW_READERS)


def can_list_website_reviews(user: Any) -> bool:
    """Whether ``user`` lists website reviews with their status (admins, support, clients)."""
    return _active(user) and user_has_role(user, *WEBSITE_REVIEW_READERS)


def is_client(user: Any) -> bool:
    """Whether ``user`` is an active client."""
    return _active(user) and user_has_role(user, CLIENT)


def order_reviews_visible_to(user: Any) -> QuerySet[OrderReview]:
    """Order reviews ``user`` may see: all for staff; a client's own; the published ones about a
    writer; none for anyone else."""
    if is_review_staff(user):
        return OrderReview.objects.all()
    if not _active(user):
        return OrderReview.objects.none()
    if user_has_role(user, CLIENT):
        return OrderReview.objects.filter(client=user)
    if user_has_role(user, WRITER):
        return OrderReview.objects.filter(writer=user, status=ReviewStatus.PUBLISHED)
    return OrderReview.objects.none()


def website_reviews_visible_to(user: Any) -> QuerySet[WebsiteReview]:
    """Website reviews ``user`` may see with their status: all for staff; a client's own; none
    for anyone else (the published ones are public: ``selectors.published_website_reviews``)."""
    if is_review_staff(user):
        return WebsiteReview.objects.all()
    if is_client(user):
        return WebsiteReview.objects.filter(client=user)
    return WebsiteReview.objects.none()


def access_order_review(*, user: Any, pk: Any) -> OrderReview:
    """The order review ``pk`` if ``user`` may see it; ``NotFound`` (404) otherwise."""
    found = order_reviews_visible_to(user).select_related("order").filter(pk=pk).first()
    if found is None:
        raise NotFound("No such review.")
    return found


def access_website_review(*, user: Any, pk: Any) -> WebsiteReview:
    """The website review ``pk`` if ``user`` may see it; ``NotFound`` (404) otherwise."""
    found = website_reviews_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such review.")
    return found
