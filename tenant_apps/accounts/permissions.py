"""DRF permissions of the tenant APIs: ``HasRole`` admits users holding one of the named roles,
``Allows`` turns an ``access.py`` predicate (``can_*``) into a permission."""

from __future__ import annotations

from collections.abc import Callable
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


class Allows(BasePermission):
    """Allow the request when ``predicate(request.user)`` holds: the rule stays in the app's
    ``access.py`` (``Allows(access.can_manage_users)``), the view only names it.

    Use an instance in ``permission_classes``, like ``HasRole``. A refusal answers 403
    ``permission_denied`` with ``message`` (by default ``HasRole``'s, as the predicates are role
    rules); put ``IsAuthenticated`` first so that anonymous requests answer 401.
    """

    message = HasRole.message

    def __init__(self, predicate: Callable[[Any], bool], *, message: str | None = None) -> None:
        self.predicate = predicate
        if message is not None:
            self.message = message

    def __call__(self) -> Allows:
        return self

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(self.predicate(request.user))


def user_has_role(user: Any, *roles: str) -> bool:
    """Whether ``user`` holds any of ``roles``; the user's role names are cached on the instance."""
    names = getattr(user, "_role_names_cache", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._role_names_cache = names
    return bool(names & set(roles))
