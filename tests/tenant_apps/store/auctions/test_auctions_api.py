"""Auctions before bidding (issue "The store kind", point 5): a seller creates one (pending), an
admin approves (scheduled) or rejects it (with a reason); everyone sees scheduled and closed
auctions, sellers also their own, admins all; ``phase`` filters live, upcoming and ended ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.api import error_code
from tests.factories import StoreProductFactory
from tests.factories.store_auctions import AuctionFactory, end_auction
from tests.tenant_apps.store.auctions.conftest import verbs
from tests.tenant_apps.store.conftest import Store


def _body(**fields: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "title": "Vintage lamp",
        "description": "Brass, 1950s.",
        "starting_price": "40.00",
        "min_increment": "2.50",
        "starts_at": (now + timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
        **fields,
    }


def test_a_seller_creates_a_pending_auction_in_the_sites_currency(store: Store) -> None:
    # when
    response = store.client("sam").post("/api/v1/auctions/", _body(), format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["phase"] == "pending"
    assert body["currency"] == settings.DEFAULT_CURRENCY
    assert body["seller"] == {"id": store.sam.pk, "full_name": "Sam Seller"}
    assert body["current_price"] is None and body["minimum_bid"] == "40.00" and body["leader"] is None
    assert "auction_submitted" in verbs(store, store.admin)


def test_a_seller_may_auction_their_own_product_only(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        mine, theirs = (
            StoreProductFactory(seller=store.sam, approved=True),
            StoreProductFactory(seller=store.sid, approved=True),
        )
    # when
    own = store.client("sam").post("/api/v1/auctions/", _body(product=mine.pk), format="json")
    other = store.client("sam").post("/api/v1/auctions/", _body(product=theirs.pk), format="json")
    # then
    assert own.status_code == 201 and own.json()["product"] == mine.pk
    assert other.status_code == 400 and error_code(other) == "invalid_product"


def test_an_auction_needs_a_sensible_window_and_amounts(store: Store) -> None:
    now = timezone.now()
    cases = [
        _body(ends_at=(now - timedelta(minutes=1)).isoformat(), starts_at=(now - timedelta(hours=1)).isoformat()),
        _body(ends_at=(now + timedelta(minutes=30)).isoformat()),  # before its start
        _body(starting_price="0"),
        _body(min_increment="-1"),
        _body(title=""),
        _body(title=5),
    ]
    for body in cases:
        response = store.client("sam").post("/api/v1/auctions/", body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_only_sellers_create_auctions(store: Store) -> None:
    for who in ("cal", "dave", "admin"):
        assert store.client(who).post("/api/v1/auctions/", _body(), format="json").status_code == 403, who
    assert store.client(None).post("/api/v1/auctions/", _body(), format="json").status_code == 401


def test_an_admin_approves_or_rejects_a_pending_auction_once(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        one, two = AuctionFactory(seller=store.sam), AuctionFactory(seller=store.sam)
    admin = store.client("admin")
    # when
    approved = admin.post(f"/api/v1/auctions/{one.pk}/approve/")
    rejected = admin.post(f"/api/v1/auctions/{two.pk}/reject/", {"reason": "Counterfeit."}, format="json")
    # then
    assert approved.status_code == 200 and approved.json()["status"] == "scheduled"
    assert rejected.status_code == 200 and rejected.json()["rejection_reason"] == "Counterfeit."
    assert verbs(store, store.sam)[-2:] == ["auction_approved", "auction_rejected"]
    again = admin.post(f"/api/v1/auctions/{one.pk}/reject/", {"reason": "x"}, format="json")
    assert again.status_code == 409 and error_code(again) == "invalid_status_transition"
    no_reason = admin.post(f"/api/v1/auctions/{two.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400


def test_only_admins_decide_auctions(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        auction = AuctionFactory(seller=store.sam)
    # when / then: the seller sees it (403), others do not (404)
    assert store.client("sam").post(f"/api/v1/auctions/{auction.pk}/approve/").status_code == 403
    for who in ("sid", "cal", "dave"):
        assert store.client(who).post(f"/api/v1/auctions/{auction.pk}/approve/").status_code == 404, who


def test_everyone_sees_scheduled_and_closed_auctions_sellers_their_own_admins_all(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        pending = AuctionFactory(seller=store.sam)
        rejected = AuctionFactory(seller=store.sam, status="rejected")
        live = AuctionFactory(seller=store.sam, live=True)
        closed = AuctionFactory(seller=store.sid, status="closed")
        others_pending = AuctionFactory(seller=store.sid)

    def ids(who: str | None) -> set[int]:
        response = store.client(who).get("/api/v1/auctions/")
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    # then
    public = {live.pk, closed.pk}
    assert ids(None) == public
    assert ids("cal") == public
    assert ids("sam") == public | {pending.pk, rejected.pk}
    assert ids("admin") == public | {pending.pk, rejected.pk, others_pending.pk}
    assert store.client("cal").get(f"/api/v1/auctions/{pending.pk}/").status_code == 404
    assert store.client("sam").get(f"/api/v1/auctions/{pending.pk}/").status_code == 200


def test_the_phase_filter_splits_live_upcoming_and_ended(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        live = AuctionFactory(seller=store.sam, live=True)
        upcoming = AuctionFactory(seller=store.sam, upcoming=True)
        waiting = end_auction(AuctionFactory(seller=store.sam, live=True))
        closed = AuctionFactory(seller=store.sam, status="closed")

    def ids(phase: str) -> set[int]:
        response = store.client(None).get("/api/v1/auctions/", {"phase": phase})
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    # then
    assert ids("live") == {live.pk}
    assert ids("upcoming") == {upcoming.pk}
    assert ids("ended") == {waiting.pk, closed.pk}
    assert store.client(None).get("/api/v1/auctions/", {"phase": "soon"}).status_code == 400
    detail = store.client(None).get(f"/api/v1/auctions/{live.pk}/").json()
    assert detail["phase"] == "live" and 0 < detail["time_left_seconds"] <= 3600
