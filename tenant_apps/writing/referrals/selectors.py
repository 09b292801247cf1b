"""Reads of referrals: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.referrals.access import referrals_visible_to
from tenant_apps.writing.referrals.models import Referral


def referral_list(*, user: Any) -> QuerySet[Referral]:
    """The referrals ``user`` may see (``access.referrals_visible_to``), newest first, with both
    users and the rewarded order (one query)."""
    return referrals_visible_to(user).select_related("referrer", "referred", "order").order_by("-created_at", "-id")


def referrals_made_by(*, user: Any) -> QuerySet[Referral]:
    """The referrals ``user`` made, newest first, with the referred clients (one query)."""
    return Referral.objects.filter(referrer_id=user.pk).select_related("referred").order_by("-created_at", "-id")


def referral_of(*, user: Any) -> Referral | None:
    """The referral that brought ``user``, or ``None``."""
    return Referral.objects.filter(referred_id=user.pk).first()
