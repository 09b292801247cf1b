"""Reads on users of the current tenant."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.accounts.models import User


def user_list(*, role: str | None = None, is_active: bool | None = None) -> QuerySet[User]:
    """Users of this site, with their roles prefetched, optionally filtered by role and activity."""
    users = User.objects.prefetch_related("groups").order_by("id")
    if role:
        users = users.filter(groups__name=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return users
