"""Who may see and do what with top-ups and payout requests.

| action | who |
| --- | --- |
| top up their wallet by card, list their top-ups | clients (their own top-ups only) |
| ask for a payout of their balance | writers |
| see a payout request | its writer; admins: all (``payouts_visible_to``) |
| approve, reject, mark paid | admins |

One payout request is fetched by ``access_payout``, which answers a hidden request like a
missing one (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.writing.kind import CLIENT, WRITER
from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp

#: Roles that top up their wallet by card.
TOP_UP_ROLES: tuple[str, ...] = (CLIENT,)
#: Roles that ask for payouts.
PAYOUT_ROLES: tuple[str, ...] = (WRITER,)
#: Roles that see every payout request and decide them.
PAYOUT_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user_has_role(user, *roles))


def can_top_up(user: Any) -> bool:
    """Whether ``user`` may top up their wallet by card (clients)."""
    return _has(user, TOP_UP_ROLES)


def can_request_payout(user: Any) -> bool:
    """Whether ``user`` may ask for a payout (writers)."""
    return _has(user, PAYOUT_ROLES)


def can_decide_payouts(user: Any) -> bool:
    """Whether ``user`` may approve, reject and mark payout requests paid (admins)."""
    return _has(user, PAYOUT_ADMIN_ROLES)


def top_ups_visible_to(user: Any) -> QuerySet[WalletTopUp]:
    """The top-ups ``user`` may see: their own (anonymous and inactive users: none)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return WalletTopUp.objects.none()
    return WalletTopUp.objects.filter(client_id=user.pk)


def payouts_visible_to(user: Any) -> QuerySet[PayoutRequest]:
    """The payout requests ``user`` may see: all for admins, their own for everyone else (so none
    for anyone who never asked); anonymous and inactive users: none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return PayoutRequest.objects.none()
    if can_decide_payouts(user):
        return PayoutRequest.objects.all()
    return PayoutRequest.objects.filter(writer_id=user.pk)


def access_payout(*, user: Any, pk: Any) -> PayoutRequest:
    """The payout request ``pk`` if ``user`` may see it (``payouts_visible_to``), with its people.
    Raises ``NotFound`` (404) for a missing and a hidden request alike."""
    found = payouts_visible_to(user).select_related("writer", "decided_by", "paid_by").filter(pk=pk).first()
    if found is None:
        raise NotFound("No such payout request.")
    return found
