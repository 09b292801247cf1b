"""Who may see which wallet: its owner and the site's admins; anyone else learns nothing."""

from __future__ import annotations

from typing import Any

from saas.api.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.services import wallet_for


def access_wallet_of_user(*, viewer: Any, user_id: int) -> Wallet:
    """The wallet of user ``user_id`` (opened on first access) if ``viewer`` may see it.

    ``viewer`` may see their own wallet; admins every wallet of the site. Raises
    ``ApplicationError`` ``not_found`` (404) both for another user's wallet and for an unknown
    user, so the answer does not tell whether the user exists.
    """
    may_see = viewer.is_authenticated and (viewer.pk == user_id or user_has_role(viewer, ADMIN))
    user = User.objects.filter(pk=user_id).first() if may_see else None
    if user is None:
        raise ApplicationError("No such wallet.", code="not_found", status_code=404)
    return wallet_for(user=user)
