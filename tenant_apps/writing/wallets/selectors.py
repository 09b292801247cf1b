"""Reads of top-ups and payout requests: querysets with what their serializers need, never writes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.writing.wallets.access import payouts_visible_to, top_ups_visible_to
from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp


def top_up_list(*, user: Any) -> QuerySet[WalletTopUp]:
    """``user``'s own top-ups, newest first, with their invoices."""
    return top_ups_visible_to(user).select_related("invoice").order_by("-created_at", "-id")


def payout_list(*, user: Any) -> QuerySet[PayoutRequest]:
    """The payout requests ``user`` may see (``access.payouts_visible_to``), newest first, with
    their writer and deciders."""
    return payouts_visible_to(user).select_related("writer", "decided_by", "paid_by").order_by("-created_at", "-id")
