"""Reads of loyalty points: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from tenant_apps.accounts.models import User
from tenant_apps.writing.loyalty.access import accounts_visible_to, entries_visible_to
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry


def tier_list() -> QuerySet[LoyaltyTier]:
    """Every tier, lowest minimum spend first."""
    return LoyaltyTier.objects.order_by("minimum_spend", "id")


def clients_in_tier(tier_slug: str) -> QuerySet[User]:
    """The users whose lifetime spend puts them in the tier ``tier_slug`` now: at least its
    ``minimum_spend`` and below the next tier's (a tier is computed, never stored: see
    ``models.LoyaltyTier``). Active users only, by id. An unknown slug: none. Used by the mass
    e-mail's "a tier" audience."""
    tier = LoyaltyTier.objects.filter(slug=tier_slug).first()
    if tier is None:
        return User.objects.none()
    above = LoyaltyTier.objects.filter(minimum_spend__gt=tier.minimum_spend).order_by("minimum_spend").first()
    spend = Q(writing_loyalty__lifetime_spend__gte=tier.minimum_spend)
    if above is not None:
        spend &= Q(writing_loyalty__lifetime_spend__lt=above.minimum_spend)
    return User.objects.filter(spend, is_active=True).order_by("id")


def account_of(*, user: Any) -> LoyaltyAccount:
    """``user``'s account, or an unsaved empty one when they have none yet (reads never write)."""
    return LoyaltyAccount.objects.filter(user_id=user.pk).first() or LoyaltyAccount(user=user)


def account_list(*, user: Any) -> QuerySet[LoyaltyAccount]:
    """The accounts ``user`` may see (``access.accounts_visible_to``), largest balance first, with
    their users."""
    return accounts_visible_to(user).select_related("user").order_by("-balance", "id")


def entry_list(*, user: Any, account: LoyaltyAccount | None = None) -> QuerySet[PointsEntry]:
    """The ledger entries ``user`` may see, newest first (only ``account``'s when given), with
    their orders."""
    found = entries_visible_to(user).select_related("order")
    if account is not None:
        found = found.filter(account_id=account.pk)
    return found.order_by("-created_at", "-id")
