"""Who is the support staff of a site, per tenant kind.

Support staff read every ticket of their site, reply, assign, close and reopen, and are told
(e-mail and notification) about new tickets. Each kind names its support roles in its
``kind.py``; the site's ``admin`` is support staff on every kind (and the only one on a kind
that names none).
"""

from __future__ import annotations

from typing import Any

from saas.db.tenant import current_kind
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN, kind_spec


def support_roles(kind: str) -> tuple[str, ...]:
    """The role names whose holders are support staff on a ``kind`` site (its ``KindSpec.support_roles``,
    always with ``admin``)."""
    spec = kind_spec(kind)
    return (*(spec.support_roles if spec else ()), ADMIN)


def is_support_staff(user: Any) -> bool:
    """Whether ``user`` is an active, authenticated support-staff member of the current site."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user_has_role(user, *support_roles(current_kind()))
