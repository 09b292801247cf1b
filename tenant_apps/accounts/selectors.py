"""Reads on users of the current tenant, scoped by ``access.users_visible_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.accounts.access import users_visible_to
from tenant_apps.accounts.models import User


def user_list(*, user: Any, role: str | None = None, is_active: bool | None = None) -> QuerySet[User]:
    """The users ``user`` may see (``access.users_visible_to``), by id, with their roles prefetched,
    optionally only those holding ``role`` and of activity ``is_active``."""
    users = users_visible_to(user).prefetch_related("groups").order_by("id")
    if role:
        users = users.filter(groups__name=role)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return users


def users_with_roles(*roles: str, exclude: int | None = None) -> QuerySet[User]:
    """The site's active users holding any of ``roles`` (role names, as ``Group`` names), each once,
    by id, but the user of pk ``exclude`` (the actor, who needs no notice of their own act).

    The one query behind "notify the admins / the support team / the managers" across kinds.
    """
    users = User.objects.filter(is_active=True, groups__name__in=roles).distinct().order_by("id")
    if exclude is not None:
        users = users.exclude(pk=exclude)
    return users
