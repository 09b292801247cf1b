"""The writing site's admin of referrals: who referred whom, and the reward each earned (read-only:
referrals are claimed by clients and rewarded by the first completed order), the codes, and the
settings (edited through ``referral_settings_update``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from saas.admin.extras import AsciiDecimalField
from tenant_apps.writing.admin_helpers import ServiceSettingsAdmin
from tenant_apps.writing.referrals import services
from tenant_apps.writing.referrals.models import Referral, ReferralCode, ReferralSettings
from tenant_apps.writing.referrals.services import MAX_REWARD_POINTS


@register(Referral)
class ReferralAdmin(ServiceModelAdmin):
    """Referrals and their rewards (read-only)."""

    list_display = (
        "referrer",
        "referred",
        "code",
        "status",
        "reward_kind",
        "reward_amount",
        "reward_points",
        "rewarded_at",
    )
    list_filter = ("status", "reward_kind", "created_at")
    search_fields = ("code", "referrer__email", "referred__email", "referrer__full_name", "referred__full_name")
    list_select_related = ("referrer", "referred", "order")
    date_hierarchy = "created_at"


@register(ReferralCode)
class ReferralCodeAdmin(ServiceModelAdmin):
    """Users' referral codes (read-only)."""

    list_display = ("code", "user", "created_at")
    list_filter = ("created_at",)
    search_fields = ("code", "user__email", "user__full_name")
    list_select_related = ("user",)


class ReferralSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    """The referral settings, amounts and points read as the API reads them."""

    reward_amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reward_points = forms.IntegerField(min_value=1, max_value=MAX_REWARD_POINTS)

    class Meta:
        model = ReferralSettings
        fields = ("enabled", "reward_kind", "reward_amount", "reward_points")


@register(ReferralSettings)
class ReferralSettingsAdmin(ServiceSettingsAdmin):
    """The site's referral settings (one row), through ``services.referral_settings_update``."""

    form = ReferralSettingsForm
    settings_fields = ("enabled", "reward_kind", "reward_amount", "reward_points")
    list_display = ("__str__", "enabled", "reward_kind", "reward_amount", "reward_points", "updated_at")
    list_filter = ("enabled", "reward_kind")
    search_fields = ("reward_kind",)

    def read_settings(self) -> Any:
        return services.referral_settings()

    def update_settings(self, request: HttpRequest, changes: dict[str, Any]) -> Any:
        return services.referral_settings_update(actor=request.user, **changes)
