"""Reads of the shop app: a seller's account summary (points, rank, the next rank, recent entries)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenant_apps.store.shop import services
from tenant_apps.store.shop.models import PointsEntry

#: Ledger entries the account summary shows, newest first.
RECENT_ENTRIES = 20


@dataclass(frozen=True)
class SellerAccountSummary:
    """A seller's standing: ``points``; ``rank`` (``None`` below every threshold); the ``next_rank``
    and its ``next_rank_points`` (``None`` at the top); whether the rank unlocks brands
    (``can_create_brands``, the settings' ``brand_rank`` and its ``brand_rank_points``); the last
    ``RECENT_ENTRIES`` points entries."""

    points: int
    rank: str | None
    next_rank: str | None
    next_rank_points: int | None
    brand_rank: str
    brand_rank_points: int | None
    can_create_brands: bool
    entries: list[PointsEntry]


def seller_account_summary(*, seller: Any) -> SellerAccountSummary:
    """``seller``'s summary, read without opening an account (no account reads as zero points)."""
    row = services.store_settings()
    points = services.seller_points(seller)
    following = services.next_rank(points, settings_row=row)
    entries = list(PointsEntry.objects.filter(account__seller_id=seller.pk).order_by("-id")[:RECENT_ENTRIES])
    threshold = (row.ranks or {}).get(row.brand_rank)
    return SellerAccountSummary(
        points=points,
        rank=services.seller_rank(points, settings_row=row),
        next_rank=following[0] if following else None,
        next_rank_points=following[1] if following else None,
        brand_rank=row.brand_rank,
        brand_rank_points=int(threshold) if threshold is not None else None,
        can_create_brands=services.brands_unlocked(seller, settings_row=row),
        entries=entries,
    )
