"""Auctions and bids, made by ``store.auctions.services`` (creation, approval, bids, closing)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.store.auctions import services
from tenant_apps.store.auctions.models import Auction, AuctionStatus, Bid
from tenant_apps.store.auctions.selectors import minimum_bid
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin
from tests.factories.store_orders import CustomerFactory


class AuctionFactory(ServiceFactory[Auction]):
    """A seller's auction made by ``auction_create`` (``pending``), walked to ``status`` by the
    services: ``scheduled`` (approved by the site's admin; live by default: started a minute
    ago, ending in an hour), ``rejected`` (with a reason), ``closed`` (approved and closed as if
    its end had passed, without bids).

    Traits: ``live`` (``scheduled``), ``upcoming`` (scheduled, starting in an hour).
    """

    class Meta:
        model = Auction

    class Params:
        live = factory.Trait(status=AuctionStatus.SCHEDULED)
        upcoming = factory.Trait(
            status=AuctionStatus.SCHEDULED,
            starts_at=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1)),
            ends_at=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2)),
        )

    seller = factory.SubFactory(UserFactory, roles=["seller"])
    title = factory.Sequence(lambda n: f"Auction {n}")
    description = ""
    product = None
    starting_price: Decimal | str = "10.00"
    min_increment: Decimal | str = "1.00"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    status: str = AuctionStatus.PENDING
    actor: Any = None

    @classmethod
    def _create(cls, model_class: type[Auction], *args: Any, status: str, actor: Any, **kwargs: Any) -> Auction:
        auction = services.auction_create(**kwargs)
        if status == AuctionStatus.PENDING:
            return auction
        admin = actor or site_admin()
        if status == AuctionStatus.REJECTED:
            return services.auction_reject(auction=auction, actor=admin, reason="Not for this site.")
        auction = services.auction_approve(auction=auction, actor=admin)
        if status == AuctionStatus.SCHEDULED:
            return auction
        if status == AuctionStatus.CLOSED:
            return services.auction_close(auction=auction, actor=admin, now=auction.ends_at + timedelta(seconds=1))
        raise ValueError(f"AuctionFactory makes pending, scheduled, rejected or closed auctions, not {status!r}")


def _amount(bid: Any) -> Decimal:
    return minimum_bid(bid.auction)


class BidFactory(ServiceFactory[Bid]):
    """A bid placed by ``bid_place`` on a live auction: ``bidder`` a customer with a delivery
    location and 1000.00 in their wallet, ``amount`` the auction's minimum bid; its amount is held
    and the previous leader's released, like any bid."""

    class Meta:
        model = Bid

    auction = factory.SubFactory(AuctionFactory, live=True)
    bidder = factory.SubFactory(CustomerFactory, funds="1000.00")
    amount = factory.LazyAttribute(_amount)

    @classmethod
    def _create(cls, model_class: type[Bid], *args: Any, **kwargs: Any) -> Bid:
        return services.bid_place(**kwargs)


def end_auction(auction: Auction, *, ago: timedelta = timedelta(minutes=1)) -> Auction:
    """Move ``auction``'s end into the past (and its start before it), as time passing would: the
    one thing tests cannot wait for. Returns it read again."""
    now = timezone.now()
    Auction.objects.filter(pk=auction.pk).update(starts_at=now - ago - timedelta(hours=1), ends_at=now - ago)
    return Auction.objects.get(pk=auction.pk)


def ends_in(auction: Auction, seconds: float) -> datetime:
    """Set ``auction``'s end ``seconds`` from now (anti-sniping tests); returns the new end."""
    ends_at = timezone.now() + timedelta(seconds=seconds)
    Auction.objects.filter(pk=auction.pk).update(ends_at=ends_at)
    return ends_at
