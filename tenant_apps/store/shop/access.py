"""Who may see and do what in the shop app (store roles, ``tenant_apps/store/kind.py``).

| action | who |
| --- | --- |
| read and change the store's settings (``/store/settings/``) | admin |
| read one's seller account: points, rank, ledger (``/seller/account/``) | sellers (their own only) |

There is no object to fetch by id here: the settings are one row and a seller reads only their
own account, so there is no ``access_*`` fetch and nothing to hide with a 404.
"""

from __future__ import annotations

from typing import Any

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.store.kind import SELLER

#: Read and change the store's settings.
SETTINGS_MANAGER_ROLES: tuple[str, ...] = (ADMIN,)
#: Hold a points account.
SELLER_ROLES: tuple[str, ...] = (SELLER,)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_store_settings(user: Any) -> bool:
    """Whether ``user`` may read and change the store's settings (admin)."""
    return _active(user) and user_has_role(user, *SETTINGS_MANAGER_ROLES)


def can_have_seller_account(user: Any) -> bool:
    """Whether ``user`` reads a seller account of their own (sellers)."""
    return _active(user) and user_has_role(user, *SELLER_ROLES)
