"""Who may see and do what with fines and appeals.

| action | who |
| --- | --- |
| see fines | the fined writer (their own); admins and support (all, support read-only) |
| issue a fine, decide an appeal, change the rules | admins |
| appeal a fine (once) | the fined writer |

Clients and editors see no fine: one fetched by id answers 404, like a missing one
(``access_fine``). Deciding answers 403 to everyone but admins, whatever the id.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.fines.models import Fine
from tenant_apps.writing.kind import SUPPORT, WRITER

#: Roles that issue fines, decide appeals and set the rules.
FINE_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)
#: Roles that see every fine (admins decide; support answers writers' questions).
FINE_STAFF_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Roles that may be fined.
FINED_ROLES: tuple[str, ...] = (WRITER,)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_fines(user: Any) -> bool:
    """Whether ``user`` may issue fines, decide appeals and change the rules (admins)."""
    return _active(user) and user_has_role(user, *FINE_ADMIN_ROLES)


def can_see_all_fines(user: Any) -> bool:
    """Whether ``user`` sees every fine of the site (admins, support)."""
    return _active(user) and user_has_role(user, *FINE_STAFF_ROLES)


def can_be_fined(user: Any) -> bool:
    """Whether ``user`` may be fined (an active writer)."""
    return _active(user) and user_has_role(user, *FINED_ROLES)


def fines_visible_to(user: Any) -> QuerySet[Fine]:
    """The fines ``user`` may see: all for admins and support, their own for anyone else (none for
    who was never fined); anonymous and inactive users: none."""
    if not _active(user):
        return Fine.objects.none()
    if can_see_all_fines(user):
        return Fine.objects.all()
    return Fine.objects.filter(writer_id=user.pk)


def access_fine(*, user: Any, pk: Any) -> Fine:
    """The fine ``pk`` if ``user`` may see it, with what its serializer shows
    (``selectors.fine_list``). Raises ``NotFound`` (404) for a missing and a hidden fine alike."""
    from tenant_apps.writing.fines.selectors import fine_list

    found = fine_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No such fine.")
    return found
