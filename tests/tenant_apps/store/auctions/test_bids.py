"""Bidding (issue "The store kind", point 5): minimums, wallet holds and releases, anti-sniping.

Rules: a customer (never the seller) bids on a live auction; the first bid reaches
``starting_price``, later ones ``current_price + min_increment``; the amount is held in the
bidder's wallet and the outbid leader's hold released, in one transaction; a leader raising
their bid has their hold replaced (release, then hold the new amount); a bid within
``anti_sniping_seconds`` of the end moves the end to now + that window; a bidder needs a
delivery location.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.store.auctions.models import Auction, Bid
from tenant_apps.store.shop.services import store_settings
from tenant_apps.wallet.models import LedgerEntry
from tests.api import error_code
from tests.factories import CustomerFactory
from tests.factories.store_auctions import AuctionFactory, end_auction, ends_in
from tests.fixture_types import ApiResponse, ClientFor, Login
from tests.tenant_apps.store.auctions.conftest import money, verbs
from tests.tenant_apps.store.conftest import Store, reload

D = Decimal


def _live(store: Store, **fields: object) -> Auction:
    with tenant_context(store.tenant):
        return AuctionFactory(seller=store.sam, live=True, **fields)


def _bid(store: Store, who: str | None, auction: Auction, amount: object) -> ApiResponse:
    return store.client(who).post(f"/api/v1/auctions/{auction.pk}/bids/", {"amount": amount}, format="json")


def test_a_first_bid_reaching_the_starting_price_is_held_in_the_bidders_wallet(store: Store) -> None:
    # given
    auction = _live(store, starting_price="50.00")
    # when
    response = _bid(store, "cal", auction, "50.00")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "50.00"
    assert body["auction"]["current_price"] == "50.00"
    assert body["auction"]["minimum_bid"] == "51.00"
    assert body["auction"]["bids_count"] == 1
    assert body["auction"]["leader"] == {"id": store.cal.pk, "name": "Cal Customer", "is_you": True}
    assert money(store, store.cal) == (D("950.00"), D("50.00"))
    with tenant_context(store.tenant):
        bid = Bid.objects.get(pk=body["id"])
        holds = LedgerEntry.objects.filter(reference=f"auction:{auction.pk}:bid:{bid.pk}", held_delta=D("50.00"))
        assert holds.count() == 1


def test_a_bid_below_the_starting_price_or_the_increment_is_refused(store: Store) -> None:
    # given
    auction = _live(store, starting_price="50.00", min_increment="5.00")
    # when / then
    low = _bid(store, "cal", auction, "49.99")
    assert low.status_code == 409 and error_code(low) == "bid_too_low"
    assert low.json()["error"]["details"]["minimum"] == "50.00"
    assert _bid(store, "cal", auction, "50.00").status_code == 201
    short = _bid(store, "cora", auction, "54.99")
    assert short.status_code == 409 and error_code(short) == "bid_too_low"
    assert _bid(store, "cora", auction, "55.00").status_code == 201


def test_an_outbid_leaders_hold_is_released_and_they_are_told(store: Store) -> None:
    # given
    auction = _live(store)
    assert _bid(store, "cal", auction, "20.00").status_code == 201
    # when
    assert _bid(store, "cora", auction, "30.00").status_code == 201
    # then
    assert money(store, store.cal) == (D("1000.00"), D("0.00"))
    assert money(store, store.cora) == (D("970.00"), D("30.00"))
    assert "auction_outbid" in verbs(store, store.cal)
    assert "auction_outbid" not in verbs(store, store.cora)
    detail = store.client("cal").get(f"/api/v1/auctions/{auction.pk}/").json()
    assert detail["leader"]["id"] is None and detail["leader"]["is_you"] is False
    assert detail["leader"]["name"].startswith("Bidder ")


def test_a_leader_raising_their_bid_has_their_hold_replaced_by_the_new_amount(store: Store) -> None:
    # given
    auction = _live(store)
    assert _bid(store, "cal", auction, "20.00").status_code == 201
    # when
    response = _bid(store, "cal", auction, "25.00")
    # then: one hold for the auction, the new amount; no outbid notice to oneself
    assert response.status_code == 201, response.content
    assert money(store, store.cal) == (D("975.00"), D("25.00"))
    assert "auction_outbid" not in verbs(store, store.cal)
    assert reload(store, auction).bids_count == 2


def test_the_seller_and_non_customers_cannot_bid(store: Store) -> None:
    # given
    auction = _live(store)
    # when / then
    for who in ("sam", "sid", "dave", "admin"):
        response = _bid(store, who, auction, "20.00")
        assert response.status_code == 403 and error_code(response) == "permission_denied", who
    assert _bid(store, None, auction, "20.00").status_code == 401


def test_a_bidder_needs_a_delivery_location(store: Store, client_for: ClientFor, login: Login) -> None:
    # given: a customer without a location
    auction = _live(store)
    with tenant_context(store.tenant):
        nomad = CustomerFactory(email="nomad@gamma.test", location=False, funds="1000.00")
    client = client_for(store.tenant, login(store.tenant, nomad.email)["access"])
    # when
    response = client.post(f"/api/v1/auctions/{auction.pk}/bids/", {"amount": "20.00"}, format="json")
    # then
    assert response.status_code == 400 and error_code(response) == "location_required"


def test_bids_outside_the_live_window_are_refused(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        pending = AuctionFactory(seller=store.sam)
        upcoming = AuctionFactory(seller=store.sam, upcoming=True)
        ended = end_auction(AuctionFactory(seller=store.sam, live=True))
    # when / then
    assert _bid(store, "cal", pending, "20.00").status_code == 404  # not visible to customers
    for auction in (upcoming, ended):
        response = _bid(store, "cal", auction, "20.00")
        assert response.status_code == 409 and error_code(response) == "auction_not_live"


def test_a_bid_beyond_the_wallet_changes_nothing(store: Store) -> None:
    # given
    auction = _live(store)
    # when
    response = _bid(store, "cal", auction, "1000.01")
    # then
    assert response.status_code == 409 and error_code(response) == "insufficient_funds"
    assert reload(store, auction).bids_count == 0
    assert money(store, store.cal) == (D("1000.00"), D("0.00"))
    with tenant_context(store.tenant):
        assert not Bid.objects.filter(auction=auction).exists()


def test_a_bid_in_the_anti_sniping_window_moves_the_end(store: Store) -> None:
    # given
    auction = _live(store)
    with tenant_context(store.tenant):
        window = store_settings().anti_sniping_seconds
        ends_in(auction, window / 2)
    # when
    before = timezone.now()
    assert _bid(store, "cal", auction, "20.00").status_code == 201
    # then
    ends_at = reload(store, auction).ends_at
    assert before + timedelta(seconds=window) <= ends_at <= timezone.now() + timedelta(seconds=window)


def test_a_bid_before_the_anti_sniping_window_keeps_the_end(store: Store) -> None:
    # given
    auction = _live(store)
    with tenant_context(store.tenant):
        window = store_settings().anti_sniping_seconds
        ends_at = ends_in(auction, window * 3)
    # when
    assert _bid(store, "cal", auction, "20.00").status_code == 201
    # then
    assert reload(store, auction).ends_at == ends_at


def test_bad_amounts_answer_400(store: Store) -> None:
    # given
    auction = _live(store)
    # when / then
    for amount in ("abc", "-5", "0", "10.001", "١٠", True, None):
        response = _bid(store, "cal", auction, amount)
        assert response.status_code == 400, (amount, response.content)
