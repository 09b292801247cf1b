"""Who sees which dashboard section.

| section | who |
| --- | --- |
| ``client`` | clients: their own orders and spending |
| ``writer`` | writers: their active orders, earnings and rating |
| ``editor`` | editors: the review queue and their reviews |
| ``support`` | support agents: open tickets and disputed orders |
| ``admin`` | admins: the site's revenue, orders, top writers and overdue orders |

A user gets the section of every role they hold, in this order; a user holding none of them is
refused (403 ``permission_denied``). The sections show no order's client to writers or editors.
"""

from __future__ import annotations

from typing import Any

from saas.errors import PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT, EDITOR, SUPPORT, WRITER

#: The roles with a dashboard section, in the order the sections are given.
SECTION_ROLES: tuple[str, ...] = (CLIENT, WRITER, EDITOR, SUPPORT, ADMIN)


def dashboard_roles(user: Any) -> list[str]:
    """The roles of ``user`` that have a section (``SECTION_ROLES`` order); none for anonymous or
    inactive users. One query for the user's roles (cached on the instance)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return [role for role in SECTION_ROLES if user_has_role(user, role)]


def can_view_dashboard(user: Any) -> bool:
    """Whether ``user`` has at least one dashboard section."""
    return bool(dashboard_roles(user))


def ensure_dashboard_roles(user: Any) -> list[str]:
    """``dashboard_roles(user)``, or ``PermissionDenied`` (403) when there is none."""
    roles = dashboard_roles(user)
    if not roles:
        raise PermissionDenied("Your role has no dashboard.")
    return roles
