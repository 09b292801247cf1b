"""Reads on inquiries. Every read starts from ``access.inquiries_visible_to(user)``: a list or a
lookup cannot show an inquiry its user may not see (404 ``not_found``, like a missing one)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.accounts.selectors import users_with_roles
from tenant_apps.kinds import ADMIN
from tenant_apps.rental.inquiries.access import access_inquiry, inquiries_visible_to
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage
from tenant_apps.rental.kind import CUSTOMER_SERVICE


def inquiry_list(*, user: Any) -> QuerySet[Inquiry]:
    """Visible inquiries, newest first, with author, agent, property and booking loaded."""
    return (
        inquiries_visible_to(user)
        .select_related("created_by", "assigned_to", "property", "booking")
        .order_by("-created_at", "-id")
    )


def inquiry_messages(*, user: Any, inquiry_id: Any) -> QuerySet[InquiryMessage]:
    """The messages of inquiry ``inquiry_id``, oldest first, with authors; ``not_found`` (404) if
    ``user`` may not see the inquiry."""
    inquiry = access_inquiry(user=user, inquiry_id=inquiry_id)
    return InquiryMessage.objects.filter(inquiry=inquiry).select_related("author").order_by("created_at", "id")


def site_admins() -> QuerySet[User]:
    """The site's active admins."""
    return users_with_roles(ADMIN)


def queue_watchers() -> QuerySet[User]:
    """Who is told about a new, unassigned inquiry: the site's active admins and agents."""
    return users_with_roles(ADMIN, CUSTOMER_SERVICE)
