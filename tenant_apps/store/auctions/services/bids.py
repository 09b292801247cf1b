"""Bidding: one transaction per bid under the auction's row lock, money held in the bidder's wallet.

A bid, in one transaction:

1. lock the auction row (``locks.auction_lock``): bids on one auction queue up here, so each
   reads the price the previous one committed;
2. check it is live and the amount reaches the minimum (``starting_price`` for the first bid,
   ``current_price + min_increment`` after), and store the ``Bid`` (one per amount per auction, a
   unique constraint: the backstop if two equal bids ever met without the lock, answered 409);
3. lock the wallets of the bidder and of the leader being outbid, in primary-key order, in one
   statement (``locks.bid_wallets_lock``);
4. release the previous leader's hold (``escrow_release``, reference
   ``auction:<id>:bid:<their bid id>:release``) and hold the new amount in the bidder's wallet
   (``escrow_hold``, reference ``auction:<id>:bid:<bid id>``);
5. update ``current_price``, ``leader``, ``bids_count`` and, for a bid in the last
   ``anti_sniping_seconds`` (site settings), move ``ends_at`` to ``now + anti_sniping_seconds``.

**A leader raising their own bid** is treated like any other bid: their previous hold is released
and the new amount held (two ledger entries in one transaction, net effect: the difference is set
aside). So at every moment exactly one hold per auction exists, the leading bid's, with that bid's
own reference and amount: the order of a won auction is paid from precisely that hold. The wallet
needs only the difference free, since the release comes first.

Invariant (tested under races): the money held for an auction, summed over every wallet, equals
its ``current_price``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.store.auctions.access import can_bid
from tenant_apps.store.auctions.locks import auction_lock, bid_wallets_lock
from tenant_apps.store.auctions.models import Auction, Bid
from tenant_apps.store.auctions.selectors import auction_phase, minimum_bid
from tenant_apps.store.auctions.services._common import _facts, _hold_reference, _release_reference
from tenant_apps.store.shop.services import store_profile_of, store_settings
from tenant_apps.wallet.services import escrow_hold, escrow_release, wallet_open


def _minimum_bid(auction: Auction) -> Decimal:
    """The least the next bid on the locked ``auction`` may be (a seam the race tests slow down)."""
    return minimum_bid(auction)


def bid_place(*, auction: Auction, bidder: Any, amount: Decimal | str | int) -> Bid:
    """``bidder`` bids ``amount`` (in the auction's currency) on ``auction``; see the module.

    Raises ``ApplicationError``: ``permission_denied`` (403: not a customer, or the auction's
    seller), ``location_required`` (400: the bidder's store profile has no complete delivery
    location; the order of a won auction needs one), ``invalid_amount`` (400),
    ``auction_not_live`` (409: not approved, not started, or ended), ``bid_too_low`` (409, with
    ``details.minimum``; also when an equal bid won a race), ``currency_mismatch`` (409, the
    bidder's wallet holds another currency), ``insufficient_funds`` (409).
    """
    if not can_bid(bidder, auction):
        raise PermissionDenied("Only customers bid, and never on their own auction.")
    profile = store_profile_of(bidder)
    if profile is None or not profile.has_location:
        raise ApplicationError(
            "Set your delivery location before bidding: a won auction is delivered there.",
            code=ErrorCode.LOCATION_REQUIRED,
        )
    value = check_amount(amount, auction.currency)
    wallet = wallet_open(user=bidder)
    if wallet.currency != auction.currency:
        raise Conflict("Your wallet holds another currency than this auction's.", code=ErrorCode.CURRENCY_MISMATCH)
    window = timedelta(seconds=store_settings().anti_sniping_seconds)
    with transaction.atomic():
        auction = auction_lock(auction.pk)
        now = timezone.now()
        phase = auction_phase(auction, now=now)
        if phase != "live":
            raise Conflict(f"This auction is not taking bids ({phase}).", code=ErrorCode.AUCTION_NOT_LIVE)
        minimum = _minimum_bid(auction)
        if value < minimum:
            raise _too_low(minimum, auction.currency)
        previous = (
            Bid.objects.filter(auction_id=auction.pk, amount=auction.current_price).first()
            if auction.leader_id is not None and auction.current_price is not None
            else None
        )
        try:
            with transaction.atomic():
                bid = Bid.objects.create(
                    auction=auction,
                    bidder=bidder,
                    amount=value,
                    location_lat=profile.location_lat,
                    location_lng=profile.location_lng,
                    location_address=profile.location_address,
                )
        except IntegrityError:
            # Only without the auction's lock can two equal bids meet here.
            raise _too_low(value + auction.min_increment, auction.currency) from None
        outbid_wallet = wallet_open(user=previous.bidder) if previous is not None else None
        wallets = bid_wallets_lock([wallet.pk] + ([outbid_wallet.pk] if outbid_wallet else []))
        if previous is not None and outbid_wallet is not None:
            escrow_release(
                wallet=wallets[outbid_wallet.pk],
                amount=previous.amount,
                actor=bidder,
                reference=_release_reference(auction.pk, previous.pk),
                memo=f"Outbid in auction #{auction.pk}",
            )
        escrow_hold(
            wallet=wallets[wallet.pk],
            amount=value,
            actor=bidder,
            reference=_hold_reference(auction.pk, bid.pk),
            memo=f"Bid in auction #{auction.pk}",
        )
        auction.current_price = value
        auction.leader = bidder
        auction.bids_count += 1
        fields = ["current_price", "leader", "bids_count"]
        extended = auction.ends_at - now < window
        if extended:
            auction.ends_at = now + window
            fields.append("ends_at")
        auction.save(update_fields=fields)
        facts = {**_facts(auction), "bid": bid.pk, "amount": str(value), "extended": extended}
        audit_record(actor=bidder, verb="auction.bid_placed", target=auction, changes=facts)
        if previous is not None and previous.bidder_id != bidder.pk:
            notify(
                recipient=previous.bidder,
                verb="auction_outbid",
                target=auction,
                extra_data={**_facts(auction), "your_bid": str(previous.amount)},
            )
    return bid


def _too_low(minimum: Decimal, currency: str) -> ApplicationError:
    return Conflict(
        f"Bid at least {minimum} {currency}.",
        code=ErrorCode.BID_TOO_LOW,
        details={"minimum": str(minimum), "currency": currency},
    )
