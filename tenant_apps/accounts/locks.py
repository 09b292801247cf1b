"""Row locks of users: one user, and the site's active admins (so two requests cannot demote the
last two admins at once). Taken before any other app's rows (docs/architecture.md, "Locks in one order")."""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.kinds import ADMIN


def user_lock(pk: int) -> User:
    """The user row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return User.objects.select_for_update().get(pk=pk)


def active_admins_lock() -> QuerySet[User]:
    """The site's active admins, locked when evaluated (inside a transaction)."""
    return User.objects.select_for_update().filter(groups__name=ADMIN, is_active=True)
