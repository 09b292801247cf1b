"""Closing an auction (issue "The store kind", point 5): after its end, by the beat task or an
admin; the winner gets an order paid from the winning hold, nobody's bid means no order, and
closing twice makes one order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.auctions.models import Auction
from tenant_apps.store.auctions.services import auction_hold_reference
from tenant_apps.store.auctions.tasks import close_due_auctions
from tenant_apps.store.orders.models import Order, OrderSource, OrderStatus
from tenant_apps.store.shop.models import StoreProfile
from tenant_apps.wallet.models import LedgerEntry
from tests.api import error_code
from tests.factories import StoreProductFactory
from tests.factories.store_auctions import AuctionFactory, BidFactory, end_auction
from tests.tenant_apps.store.auctions.conftest import money, verbs
from tests.tenant_apps.store.conftest import Store, reload

D = Decimal


def _won(store: Store, **fields: object) -> Auction:
    """A live auction of sam's with bids by cal (20.00) then cora (25.00), ended a minute ago."""
    with tenant_context(store.tenant):
        auction = AuctionFactory(seller=store.sam, live=True, **fields)
        BidFactory(auction=auction, bidder=store.cal, amount="20.00")
        BidFactory(auction=auction, bidder=store.cora, amount="25.00")
        return end_auction(auction)


def test_closing_makes_an_order_for_the_winner_paid_from_the_winning_hold(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, stock=3, approved=True)
    auction = _won(store, product=product)
    # when
    response = store.client("admin").post(f"/api/v1/auctions/{auction.pk}/close/")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    with tenant_context(store.tenant):
        auction = Auction.objects.get(pk=auction.pk)
        order = Order.objects.get(auction=auction)
        assert (order.buyer_id, order.source, order.status) == (store.cora.pk, OrderSource.AUCTION, OrderStatus.CREATED)
        assert order.total == D("25.00") and order.currency == auction.currency
        assert order.location_address == StoreProfile.objects.get(user=store.cora).location_address
        (item,) = order.items.all()
        assert (item.product_id, item.seller_id) == (product.pk, store.sam.pk)
        assert (item.quantity, item.unit_price) == (1, D("25.00"))
        product.refresh_from_db()
        assert product.stock == 2
        reference = auction_hold_reference(auction)
        assert LedgerEntry.objects.get(reference=reference).held_delta == D("25.00")
    # the hold stays: it pays the order at completion
    assert money(store, store.cora) == (D("975.00"), D("25.00"))
    assert money(store, store.cal) == (D("1000.00"), D("0.00"))
    assert "auction_won" in verbs(store, store.cora)
    assert "auction_sold" in verbs(store, store.sam)
    assert response.json()["order"] == order.pk
    assert store.client("cal").get(f"/api/v1/auctions/{auction.pk}/").json()["order"] is None


def test_the_order_goes_to_where_the_winner_bid_from_if_they_cleared_their_location(store: Store) -> None:
    # given
    auction = _won(store)
    with tenant_context(store.tenant):
        StoreProfile.objects.filter(user=store.cora).update(location_address="", location_lat=None)
    # when
    assert store.client("admin").post(f"/api/v1/auctions/{auction.pk}/close/").status_code == 200
    # then
    with tenant_context(store.tenant):
        assert Auction.objects.get(pk=auction.pk).order.location_address == "Alexanderplatz 1, 10178 Berlin"  # type: ignore[union-attr]


def test_closing_twice_makes_one_order(store: Store) -> None:
    # given
    auction = _won(store)
    admin = store.client("admin")
    # when
    first = admin.post(f"/api/v1/auctions/{auction.pk}/close/")
    second = admin.post(f"/api/v1/auctions/{auction.pk}/close/")
    # then
    assert first.status_code == second.status_code == 200
    assert first.json()["order"] == second.json()["order"]
    with tenant_context(store.tenant):
        assert Order.objects.filter(buyer=store.cora, source=OrderSource.AUCTION).count() == 1


def test_an_auction_without_bids_closes_without_an_order(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        auction = end_auction(AuctionFactory(seller=store.sam, live=True))
    # when
    response = store.client("admin").post(f"/api/v1/auctions/{auction.pk}/close/")
    # then
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert reload(store, auction).order_id is None
    assert "auction_unsold" in verbs(store, store.sam)


def test_admins_cannot_close_before_the_end_and_nobody_else_can_close(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        live = AuctionFactory(seller=store.sam, live=True)
        pending = AuctionFactory(seller=store.sam)
    # when / then
    early = store.client("admin").post(f"/api/v1/auctions/{live.pk}/close/")
    assert early.status_code == 409 and error_code(early) == "auction_not_ended"
    not_approved = store.client("admin").post(f"/api/v1/auctions/{pending.pk}/close/")
    assert not_approved.status_code == 409 and error_code(not_approved) == "invalid_status_transition"
    ended = _won(store)
    for who in ("sam", "cal", "cora", "dave"):
        assert store.client(who).post(f"/api/v1/auctions/{ended.pk}/close/").status_code == 403, who


def test_the_periodic_task_closes_the_ended_auctions_of_its_site(store: Store) -> None:
    # given
    ended = _won(store)
    with tenant_context(store.tenant):
        live = AuctionFactory(seller=store.sam, live=True)
        # when
        closed = close_due_auctions()
        # then
        assert closed == [ended.pk]
        assert Auction.objects.get(pk=live.pk).status == "scheduled"
        assert Auction.objects.get(pk=ended.pk).order_id is not None
        assert close_due_auctions() == []


def test_the_periodic_task_does_nothing_in_a_site_of_another_kind(alpha: Tenant) -> None:
    with tenant_context(alpha):
        assert close_due_auctions() == []


def test_an_auction_extended_past_the_runs_time_is_left_for_the_next_run(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        auction = AuctionFactory(seller=store.sam, live=True)
        from tenant_apps.store.auctions.services import auctions_close_due

        # when: the run's clock says it ended, but the row (extended by a bid) says otherwise
        closed = auctions_close_due(now=auction.ends_at - timedelta(seconds=1))
    # then
    assert closed == []
