"""Who may see and manage which users of the site: ``can_*`` predicates, the scope the user list starts
from (``users_visible_to``) and the checked fetch of one user (``access_user``).

* The site's **admins** manage users (``/api/v1/users/``): list, create, change roles, deactivate.
* Everyone else sees only themselves (their profile, ``/api/v1/auth/user/``, is ``request.user``).

Roles themselves are auth Groups (``roles.py``); ``permissions.user_has_role`` reads them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.locks import user_lock
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN

#: Manage the site's users and their roles.
USER_MANAGER_ROLES: tuple[str, ...] = (ADMIN,)


def _authenticated(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def can_manage_users(user: Any) -> bool:
    """Whether ``user`` may list, create, change and deactivate the site's users (``admin``)."""
    return _authenticated(user) and user_has_role(user, *USER_MANAGER_ROLES)


def can_view_user(viewer: Any, user: User) -> bool:
    """Whether ``viewer`` may see ``user``: themselves, or anyone if they manage users."""
    return _authenticated(viewer) and (viewer.pk == user.pk or can_manage_users(viewer))


def users_visible_to(user: Any) -> QuerySet[User]:
    """The users ``user`` may see: every user of the site for user managers, otherwise only
    ``user`` themselves (none for an anonymous user)."""
    if not _authenticated(user):
        return User.objects.none()
    if can_manage_users(user):
        return User.objects.all()
    return User.objects.filter(pk=user.pk)


def access_user(*, user: Any, pk: Any, lock: bool = False) -> User:
    """The user ``pk``, if ``user`` may see them (``can_view_user``); ``lock=True`` returns the row
    locked (``locks.user_lock``: call it inside the service's transaction).

    Raises ``NotFound`` (404 ``not_found``, "Not found." as DRF words it) when the user does not
    exist, ``pk`` is no user id, or ``user`` may not see them: the answer does not tell which.
    """
    try:
        found = User.objects.filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        found = None
    if found is None or not can_view_user(user, found):
        raise NotFound("Not found.")
    return user_lock(found.pk) if lock else found
