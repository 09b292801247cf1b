"""Who may see and do what with referrals.

| action | who |
| --- | --- |
| see one's code, link and referrals (``GET /referrals/me/``); claim a code | clients |
| list every referral of the site; read and change the referral settings | admins |

A client sees the referrals they made (the referred client by first name only) and the one that
brought them; nobody else's.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT
from tenant_apps.writing.referrals.models import Referral

#: Roles that have a referral code and claim one.
REFERRING_ROLES: tuple[str, ...] = (CLIENT,)
#: Roles that list every referral and change the settings.
REFERRALS_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_refer(user: Any) -> bool:
    """Whether ``user`` has a referral code and may claim one (an active client)."""
    return _active(user) and user_has_role(user, *REFERRING_ROLES)


def can_manage_referrals(user: Any) -> bool:
    """Whether ``user`` lists every referral and changes the referral settings (an active admin)."""
    return _active(user) and user_has_role(user, *REFERRALS_ADMIN_ROLES)


def referrals_visible_to(user: Any) -> QuerySet[Referral]:
    """The referrals ``user`` may see: all for admins; those a client made or came through; none
    for anyone else."""
    if can_manage_referrals(user):
        return Referral.objects.all()
    if can_refer(user):
        return Referral.objects.filter(Q(referrer=user) | Q(referred=user))
    return Referral.objects.none()
