"""Who may see and do what with writer levels and writer profiles.

| action | who |
| --- | --- |
| list, create, change, delete writer levels | admins |
| list writers with their level, completed orders and average rating | admins, support |
| see one writer's profile | admins, support; a writer their own |
| set a writer's level | admins |

A writer (or level) a user may not see answers 404, exactly like a missing one (``access_writer``,
``access_writer_level``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import SUPPORT, WRITER
from tenant_apps.writing.writers.models import WriterLevel

#: Roles that manage levels and set writers' levels.
WRITERS_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)
#: Roles that see every writer's profile.
WRITERS_STAFF_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_writers(user: Any) -> bool:
    """Whether ``user`` manages writer levels and sets writers' levels (an active admin)."""
    return _active(user) and user_has_role(user, *WRITERS_ADMIN_ROLES)


def can_list_writers(user: Any) -> bool:
    """Whether ``user`` sees every writer's profile (active admins and support)."""
    return _active(user) and user_has_role(user, *WRITERS_STAFF_ROLES)


def writers_visible_to(user: Any) -> QuerySet[User]:
    """The writers (active or not, holding the writer role) whose profile ``user`` may see: all of
    them for admins and support, themselves for a writer, none for anyone else."""
    writers = User.objects.filter(groups__name=WRITER)
    if can_list_writers(user):
        return writers
    if _active(user) and user_has_role(user, WRITER):
        return writers.filter(pk=user.pk)
    return writers.none()


def writer_levels_visible_to(user: Any) -> QuerySet[WriterLevel]:
    """The levels ``user`` may list: all of them for admins; none for anyone else (a writer sees
    their own level in their profile)."""
    levels = WriterLevel.objects.all()
    return levels if can_manage_writers(user) else levels.none()


def access_writer_level(*, user: Any, pk: Any) -> WriterLevel:
    """The level ``pk`` for an admin; ``NotFound`` (404) otherwise."""
    level = writer_levels_visible_to(user).filter(pk=pk).first()
    if level is None:
        raise NotFound("No such writer level.")
    return level


def access_writer(*, user: Any, pk: Any) -> User:
    """The writer ``pk`` (a user holding the writer role) with their profile's figures
    (``selectors.writer_list``), if ``user`` may see them; ``NotFound`` (404) for a missing, a
    hidden writer or a user who is not a writer alike."""
    from tenant_apps.writing.writers import selectors  # the writer's shape; selectors import this module

    writer = selectors.with_figures(writers_visible_to(user)).filter(pk=pk).first()
    if writer is None:
        raise NotFound("No such writer.")
    return writer
