"""Who may see and do what in the rental site-settings app (rental roles, ``tenant_apps/rental/kind.py``).

| action | who |
| --- | --- |
| read and change the site's settings (``/rental/settings/``) | admin |

The settings are one row: there is no object to fetch by id, so no ``access_*`` fetch.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN

#: Read and change the rental site's settings.
SETTINGS_MANAGER_ROLES: tuple[str, ...] = (ADMIN,)


def can_manage_rental_settings(user: Any) -> bool:
    """Whether ``user`` may read and change the rental site's settings (an active admin)."""
    active = bool(user is not None and user.is_authenticated and user.is_active)
    return active and user_has_role(user, *SETTINGS_MANAGER_ROLES)
