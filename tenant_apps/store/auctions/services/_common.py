"""What the auction services share: audit facts and the notification payload of an auction."""

from __future__ import annotations

from typing import Any

from tenant_apps.store.auctions.models import Auction


def _facts(auction: Auction) -> dict[str, Any]:
    """What an audit row or a notification says about ``auction`` (safe for any participant)."""
    return {
        "auction": auction.pk,
        "auction_title": auction.title,
        "status": auction.status,
        "currency": auction.currency,
        "current_price": str(auction.current_price) if auction.current_price is not None else None,
        "ends_at": auction.ends_at.isoformat(),
    }


def _hold_reference(auction_id: int, bid_id: int) -> str:
    """The wallet reference of a bid's hold: ``auction:<auction id>:bid:<bid id>``. The order of a
    won auction is paid from the hold with this reference (its ``total`` is that amount)."""
    return f"auction:{auction_id}:bid:{bid_id}"


def _release_reference(auction_id: int, bid_id: int) -> str:
    """The wallet reference of the release of a bid's hold when it is outbid."""
    return f"auction:{auction_id}:bid:{bid_id}:release"
