"""Reads of auctions (never writes): the visible list, one auction, and its phase.

An auction's *phase* follows from its status and the clock (UTC): ``upcoming`` (scheduled, not
started), ``live`` (scheduled, ``starts_at <= now < ends_at``), ``ended`` (scheduled with its end
passed, waiting to be closed, or closed), and otherwise its status (``pending``, ``rejected``,
``cancelled``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from tenant_apps.store.auctions.access import auctions_visible_to
from tenant_apps.store.auctions.models import Auction, AuctionStatus

PHASES = ("upcoming", "live", "ended")


def auction_list(*, user: Any) -> QuerySet[Auction]:
    """The auctions ``user`` may see (``access.auctions_visible_to``) with their seller, leader
    and product."""
    return auctions_visible_to(user).select_related("seller", "leader", "product")


def auction_get(auction: Auction) -> Auction:
    """``auction`` read again with what the API shows (after a write)."""
    return Auction.objects.select_related("seller", "leader", "product").get(pk=auction.pk)


def phase_filter(phase: str, *, now: datetime | None = None) -> Q:
    """The condition of ``phase`` (one of ``PHASES``) at ``now`` (default: the current time)."""
    now = now or timezone.now()
    scheduled = Q(status=AuctionStatus.SCHEDULED)
    if phase == "upcoming":
        return scheduled & Q(starts_at__gt=now)
    if phase == "live":
        return scheduled & Q(starts_at__lte=now, ends_at__gt=now)
    if phase == "ended":
        return Q(status=AuctionStatus.CLOSED) | (scheduled & Q(ends_at__lte=now))
    raise ValueError(f"unknown phase {phase!r}")


def auction_phase(auction: Auction, *, now: datetime | None = None) -> str:
    """``auction``'s phase at ``now`` (see the module's docstring)."""
    now = now or timezone.now()
    if auction.status == AuctionStatus.CLOSED:
        return "ended"
    if auction.status != AuctionStatus.SCHEDULED:
        return str(auction.status)
    if now < auction.starts_at:
        return "upcoming"
    return "live" if now < auction.ends_at else "ended"


def is_live(auction: Auction, *, now: datetime | None = None) -> bool:
    """Whether ``auction`` takes bids at ``now``."""
    return auction_phase(auction, now=now) == "live"


def minimum_bid(auction: Auction) -> Decimal:
    """The least the next bid on ``auction`` may be: ``starting_price`` for the first bid, then
    ``current_price + min_increment``."""
    if auction.current_price is None:
        return auction.starting_price
    return auction.current_price + auction.min_increment


def bidder_alias(auction_id: int, user_id: int) -> str:
    """A stable alias of a bidder in one auction (``"Bidder 3F2A9C"``): the same person reads the
    same in that auction, and cannot be followed from one auction to another."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"auction:{auction_id}:{user_id}".encode(), hashlib.sha256)
    return f"Bidder {digest.hexdigest()[:6].upper()}"
