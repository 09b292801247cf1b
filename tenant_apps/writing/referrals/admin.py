"""The writing site's admin of referrals: who referred whom, and the reward each earned (read-only:
referrals are claimed by clients and rewarded by the first completed order), and the codes."""

from __future__ import annotations

from saas.admin import ServiceModelAdmin, register
from tenant_apps.writing.referrals.models import Referral, ReferralCode


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
