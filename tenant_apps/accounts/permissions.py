"""``HasRole``: a DRF permission that admits users holding one of the named roles."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission


class HasRole(BasePermission):
    """Allow authenticated users that hold at least one of ``roles`` (auth Group names).

    Use an instance in ``permission_classes``: ``[HasRole("admin", "support")]``; DRF calls
    ``permission()`` on each entry, which returns the instance itself.
    """

    message = "Your role does not allow this action."

    def __init__(self, *roles: str) -> None:
        if not roles:
            raise ValueError("HasRole needs at least one role name.")
        self.roles = frozenset(roles)

    def __call__(self) -> HasRole:
        return self

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return user_has_role(user, *self.roles)


def user_has_role(user: Any, *roles: str) -> bool:
    """Whether ``user`` holds any of ``roles``; the user's role names are cached on the instance."""
    names = getattr(user, "_role_names_cache", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names_cache = names
    return bool(names & set(roles))
