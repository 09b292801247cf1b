"""Closing an auction: after its end, by the beat task (``tasks.close_due_auctions``) or an admin.

Closing, in one transaction under the auction's row lock (then its product's, ``catalog.locks``):

* **no bids**: ``closed`` without an order; the seller is told (``auction_unsold``);
* **a winner**: an ``orders.Order`` (``source=auction``, ``number=new_order_number()``, status
  ``created``, ``total`` = the winning amount, the auction's currency) with one ``OrderItem``
  (the auction's product if any, sold by its seller, quantity 1 at the winning amount), delivered
  to the winner's store-profile location, or, if they have cleared it since, the location they bid
  from (every bid needs one). The order is **paid from the winning hold**: no money moves; the
  winner's wallet keeps ``total`` held under the reference ``auction:<id>:bid:<winning bid id>``
  (``auction_hold_reference``), and the order then follows the normal flow (claim, ship, deliver,
  complete: completion captures the held ``total``). A linked product's stock goes down by one
  unit when it has one (never below zero). ``auction_won`` to the winner, ``auction_sold`` to the
  seller.

Closing is idempotent: an auction already ``closed`` is returned as it is (the lock makes a
second, concurrent close wait and then see it closed), so one auction never makes two orders.

**Admins may not close early**: a ``scheduled`` auction closes only once ``ends_at`` has passed
(``auction_not_ended``, 409); bidders were promised the advertised window (anti-sniping
extensions included).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.auctions.access import can_manage_auctions
from tenant_apps.store.auctions.locks import auction_lock
from tenant_apps.store.auctions.models import Auction, AuctionStatus, Bid
from tenant_apps.store.auctions.services._common import _facts, _hold_reference
from tenant_apps.store.catalog.locks import product_lock
from tenant_apps.store.orders.models import Order, OrderItem, OrderSource, OrderStatus
from tenant_apps.store.orders.numbers import new_order_number
from tenant_apps.store.shop.services import store_profile_of


def auction_hold_reference(auction: Auction) -> str | None:
    """The wallet reference of ``auction``'s leading (after closing: winning) hold, or ``None``
    without bids: ``auction:<id>:bid:<bid id>``. An auction's order is paid from this hold."""
    if auction.current_price is None:
        return None
    bid = Bid.objects.filter(auction_id=auction.pk, amount=auction.current_price).first()
    return _hold_reference(auction.pk, bid.pk) if bid is not None else None


def _location(winning: Bid) -> tuple[Decimal, Decimal, str]:
    """The winner's delivery location now, else the one they bid from (every bid has one)."""
    profile = store_profile_of(winning.bidder)
    if (
        profile is not None
        and profile.location_lat is not None
        and profile.location_lng is not None
        and profile.location_address
    ):
        return profile.location_lat, profile.location_lng, profile.location_address
    if winning.location_lat is None or winning.location_lng is None:
        raise Conflict("The winner has no delivery location.", code=ErrorCode.LOCATION_REQUIRED)
    return winning.location_lat, winning.location_lng, winning.location_address


def _order_for(auction: Auction, winning: Bid) -> Order:
    """The order of the won, locked ``auction``: see the module."""
    lat, lng, address = _location(winning)
    amount = winning.amount
    order = Order.objects.create(
        number=new_order_number(),
        buyer_id=winning.bidder_id,
        status=OrderStatus.CREATED,
        source=OrderSource.AUCTION,
        currency=auction.currency,
        total=amount,
        location_lat=lat,
        location_lng=lng,
        location_address=address,
    )
    OrderItem.objects.create(
        order=order,
        product_id=auction.product_id,
        seller_id=auction.seller_id,
        title=auction.title[:200],
        quantity=1,
        unit_price=amount,
        line_total=amount,
    )
    if auction.product_id is not None:
        product = product_lock(auction.product_id)
        if product.stock > 0:
            product.stock -= 1
            product.save(update_fields=["stock", "updated_at"])
    return order


def auction_close(*, auction: Auction, actor: Any = None, now: datetime | None = None) -> Auction:
    """Close ``auction`` after its end (see the module); ``actor`` ``None`` is the system (the
    beat task), else an admin. Returns the auction (``order`` set when someone won).

    Raises ``ApplicationError``: ``permission_denied`` (403, ``actor`` not an admin),
    ``auction_not_ended`` (409, scheduled and not ended yet), ``invalid_status_transition`` (409:
    pending, rejected or cancelled).
    """
    if actor is not None and not can_manage_auctions(actor):
        raise PermissionDenied("Only admins close auctions.")
    with transaction.atomic():
        auction = auction_lock(auction.pk)
        if auction.status == AuctionStatus.CLOSED:
            return auction
        if auction.status != AuctionStatus.SCHEDULED:
            raise Conflict(
                f"An auction that is {auction.status} cannot be closed.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"status": auction.status, "allowed_from": [AuctionStatus.SCHEDULED]},
            )
        now = now or timezone.now()
        if now < auction.ends_at:
            raise Conflict(
                "This auction has not ended yet.",
                code=ErrorCode.AUCTION_NOT_ENDED,
                details={"ends_at": auction.ends_at.isoformat()},
            )
        winning = (
            Bid.objects.select_related("bidder").filter(auction_id=auction.pk, amount=auction.current_price).first()
            if auction.leader_id is not None and auction.current_price is not None
            else None
        )
        auction.status = AuctionStatus.CLOSED
        auction.closed_at = now
        if winning is not None:
            auction.order = _order_for(auction, winning)
        auction.save(update_fields=["status", "closed_at", "order"])
        facts = _facts(auction)
        if auction.order is not None and winning is not None:
            facts |= {
                "order": auction.order.pk,
                "order_number": auction.order.number,
                "amount": str(winning.amount),
                "hold_reference": _hold_reference(auction.pk, winning.pk),
            }
        audit_record(actor=actor, verb="auction.closed", target=auction, changes={**facts, "winner": auction.leader_id})
        if winning is None:
            notify(recipient=auction.seller, verb="auction_unsold", target=auction, extra_data=facts)
        else:
            notify(recipient=winning.bidder, verb="auction_won", target=auction, extra_data=facts)
            notify(recipient=auction.seller, verb="auction_sold", target=auction, extra_data=facts)
    return auction


def auctions_close_due(*, now: datetime | None = None) -> list[int]:
    """Close every ``scheduled`` auction of the current site whose ``ends_at`` has passed, one
    transaction each; returns the ids closed. An auction a bid extended meanwhile is left for
    the next run (``auction_not_ended``)."""
    now = now or timezone.now()
    due = list(
        Auction.objects.filter(status=AuctionStatus.SCHEDULED, ends_at__lte=now)
        .order_by("ends_at", "id")
        .values_list("pk", flat=True)
    )
    closed = []
    for pk in due:
        try:
            auction_close(auction=Auction(pk=pk), now=now)
        except Conflict:
            continue
        closed.append(pk)
    return closed
