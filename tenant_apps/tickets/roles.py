"""Who is the support staff of a site, per tenant kind.

Support staff read every ticket of their site, reply, assign, close and reopen, and are told
(e-mail and notification) about new tickets. The site's ``admin`` is support staff on every
kind; ``store`` has no support role of its own, so there the admins handle tickets.
"""

from __future__ import annotations

from typing import Any

from saas.db.tenant import current_kind
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN

#: The support role(s) of each kind, besides ``admin``.
SUPPORT_ROLES: dict[str, tuple[str, ...]] = {
    "school": ("support",),
    "writing": ("support",),
    "rental": ("customer_service",),
    "store": (),
}


def support_roles(kind: str) -> tuple[str, ...]:
    """The role names whose holders are support staff on a ``kind`` site (always with ``admin``)."""
    return (*SUPPORT_ROLES.get(kind, ()), ADMIN)


def is_support_staff(user: Any) -> bool:
    """Whether ``user`` is an active, authenticated support-staff member of the current site."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user_has_role(user, *support_roles(current_kind()))
