"""Helpers of the writing loyalty tests: URLs, settings and tiers set directly (test set-up)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltySettings, LoyaltyTier
from tenant_apps.writing.loyalty.services import loyalty_settings
from tests.tenant_apps.writing.conftest import Writing

LOYALTY = "/api/v1/loyalty/"


def set_loyalty(writing: Writing, **fields: Any) -> LoyaltySettings:
    """Change the site's loyalty settings directly."""
    with tenant_context(writing.tenant):
        row = loyalty_settings()
        for field, value in fields.items():
            setattr(row, field, value)
        row.save()
        return row


def make_tiers(writing: Writing) -> dict[str, LoyaltyTier]:
    """Bronze from 0 (no bonus), silver from 100.00 (+10 %), gold from 500.00 (+25 %)."""
    with tenant_context(writing.tenant):
        return {
            slug: LoyaltyTier.objects.create(
                name=slug.title(), slug=slug, minimum_spend=Decimal(spend), bonus_percent=Decimal(bonus)
            )
            for slug, spend, bonus in (("bronze", "0", "0"), ("silver", "100", "10"), ("gold", "500", "25"))
        }


def balance(writing: Writing, who: str) -> int:
    """``who``'s points balance (0 without an account)."""
    with tenant_context(writing.tenant):
        account = LoyaltyAccount.objects.filter(user=getattr(writing, who)).first()
        return account.balance if account is not None else 0
