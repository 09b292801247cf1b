"""The writing site's admin of loyalty: clients' points accounts with their ledger (read-only),
corrected only through the service the API calls (``points_adjust``), and the tiers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.writing.loyalty import services
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltyTier, PointsEntry


class AdjustForm(forms.Form):
    """Points to add (positive) or take (negative) from each selected account, and why."""

    points = forms.IntegerField(help_text="Positive adds a lot; negative takes from the oldest lots.")
    reason = forms.CharField(max_length=255)


class PointsEntryInline(ReadOnlyInline):
    """The account's points ledger, newest first."""

    model = PointsEntry
    fields = ("created_at", "kind", "points", "balance_after", "remaining", "expires_at", "reference", "reason")
    ordering = ("-created_at", "-id")


@register(LoyaltyAccount)
class LoyaltyAccountAdmin(ServiceModelAdmin):
    """Points accounts: read-only (a ledger); corrected with the "adjust" action."""

    list_display = ("user", "balance", "lifetime_points", "lifetime_spend", "updated_at")
    search_fields = ("user__email", "user__full_name")
    list_filter = ("updated_at",)
    list_select_related = ("user",)
    inlines = (PointsEntryInline,)
    actions = ("adjust_points",)

    @form_action(form=AdjustForm, description="Adjust the points of the selected accounts", success="{count} adjusted.")
    def adjust_points(self, request: HttpRequest, account: LoyaltyAccount, **data: Any) -> None:
        """``services.points_adjust`` (as ``POST /loyalty/adjustments/``)."""
        services.points_adjust(account=account, points=data["points"], reason=data["reason"], actor=request.user)


@register(LoyaltyTier)
class LoyaltyTierAdmin(ServiceModelAdmin):
    """Loyalty tiers (read-only; managed through the API)."""

    list_display = ("name", "slug", "minimum_spend", "bonus_percent")
    search_fields = ("name", "slug")
    ordering = ("minimum_spend",)
