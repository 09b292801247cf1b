"""Who may see and do what with loyalty points.

| action | who |
| --- | --- |
| see the programme (settings without internals, tiers) | everyone, anonymous too |
| see their account and ledger, redeem points for wallet credit | clients (their own account only) |
| see every account, adjust points, edit the settings and tiers | admins |

One account is fetched by ``access_account``, which answers a hidden account like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT
from tenant_apps.writing.loyalty.models import LoyaltyAccount, PointsEntry

#: Roles that hold a loyalty account (earn and redeem points).
MEMBER_ROLES: tuple[str, ...] = (CLIENT,)
#: Roles that see every account, adjust points and manage the programme.
LOYALTY_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user_has_role(user, *roles))


def is_member(user: Any) -> bool:
    """Whether ``user`` earns and redeems points (clients)."""
    return _has(user, MEMBER_ROLES)


def can_manage_loyalty(user: Any) -> bool:
    """Whether ``user`` sees every account, adjusts points and edits settings and tiers (admins)."""
    return _has(user, LOYALTY_ADMIN_ROLES)


def accounts_visible_to(user: Any) -> QuerySet[LoyaltyAccount]:
    """The accounts ``user`` may see: all for admins, their own for everyone else; anonymous and
    inactive users: none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return LoyaltyAccount.objects.none()
    if can_manage_loyalty(user):
        return LoyaltyAccount.objects.all()
    return LoyaltyAccount.objects.filter(user_id=user.pk)


def entries_visible_to(user: Any) -> QuerySet[PointsEntry]:
    """The ledger entries ``user`` may see: those of the accounts they may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return PointsEntry.objects.none()
    if can_manage_loyalty(user):
        return PointsEntry.objects.all()
    return PointsEntry.objects.filter(account__user_id=user.pk)


def access_account(*, user: Any, pk: Any) -> LoyaltyAccount:
    """The account ``pk`` if ``user`` may see it, with its user. Raises ``NotFound`` (404) for a
    missing and a hidden account alike."""
    found = accounts_visible_to(user).select_related("user").filter(pk=pk).first()
    if found is None:
        raise NotFound("No such loyalty account.")
    return found
