"""Who may see which wallet: its owner and the site's admins; anyone else learns nothing."""

from __future__ import annotations

from typing import Any

from saas.errors import NotFound
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.wallet.services import wallet_open


def access_wallet_of_user(*, viewer: Any, user_id: int, open_if_missing: bool = False) -> Wallet:
    """The wallet of user ``user_id`` if ``viewer`` may see it.

    ``viewer`` may see their own wallet; admins every wallet of the site. A user without a wallet
    yet has an unsaved empty one (``selectors.wallet_of``), unless ``open_if_missing`` (for writes:
    ``services.wallet_open``). Raises ``ApplicationError`` ``not_found`` (404) both for another
    user's wallet and for an unknown user, so the answer does not tell whether the user exists.
    """
    may_see = viewer.is_authenticated and (viewer.pk == user_id or user_has_role(viewer, ADMIN))
    user = User.objects.filter(pk=user_id).first() if may_see else None
    if user is None:
        raise NotFound("No such wallet.")
    return wallet_open(user=user) if open_if_missing else wallet_of(user=user)
