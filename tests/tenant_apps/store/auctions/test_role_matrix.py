"""The role matrix of the auctions and reviews endpoints, through the API: who may do what.

Roles: anonymous, customer (cal), other customer (cora), seller (sam, who owns the auction and
sold the reviewed product), other seller (sid), delivery (dave), admin. An action a role may not
take answers 401 (anonymous), 403 (may see the object, may not act) or 404 (may not see it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from tests.factories import StoreOrderFactory, StoreProductFactory
from tests.factories.store_auctions import AuctionFactory, BidFactory, end_auction
from tests.factories.store_reviews import ReviewFactory
from tests.fixture_types import ApiResponse
from tests.tenant_apps.store.conftest import Store

ROLES = {
    "anonymous": None,
    "customer": "cal",
    "other_customer": "cora",
    "seller": "sam",
    "other_seller": "sid",
    "delivery": "dave",
    "admin": "admin",
}

# action -> the roles that may take it (a 2xx); everyone else gets a 4xx
MATRIX: dict[str, set[str]] = {
    "list_auctions": set(ROLES),
    "read_auction": set(ROLES),
    "read_pending_auction": {"seller", "admin"},
    "create_auction": {"seller", "other_seller"},
    "approve_auction": {"admin"},
    "reject_auction": {"admin"},
    "bid": {"customer", "other_customer"},
    "close_auction": {"admin"},
    "list_reviews": set(ROLES),
    "read_review": set(ROLES),
    "create_review": {"customer"},
    "edit_review": {"customer"},
    "delete_review": {"customer", "admin"},
}


@pytest.fixture
def world(store: Store) -> dict[str, Any]:
    """sam's live, pending and ended auctions; cal's delivered order of sam's product, reviewed
    once, with a second product not reviewed yet."""
    with tenant_context(store.tenant):
        live = AuctionFactory(seller=store.sam, live=True)
        ended = AuctionFactory(seller=store.sam, live=True)
        BidFactory(auction=ended)
        ended = end_auction(ended)
        one, two = (
            StoreProductFactory(seller=store.sam, approved=True),
            StoreProductFactory(seller=store.sam, approved=True),
        )
        order = StoreOrderFactory(buyer=store.cal, lines=[(one, 1), (two, 1)], delivered=True)
        return {
            "live": live,
            "pending": (lambda: AuctionFactory(seller=store.sam)),
            "ended": ended,
            "order": order,
            "unreviewed": two,
            "review": (lambda: ReviewFactory(order=order, product=one)),
        }


def _act(client: APIClient, action: str, w: dict[str, Any], store: Store) -> ApiResponse:
    def fresh(key: str) -> Any:
        with tenant_context(store.tenant):
            maker: Callable[[], Any] = w[key]
            return maker()

    now = timezone.now()
    if action == "list_auctions":
        return client.get("/api/v1/auctions/")
    if action == "read_auction":
        return client.get(f"/api/v1/auctions/{w['live'].pk}/")
    if action == "read_pending_auction":
        return client.get(f"/api/v1/auctions/{fresh('pending').pk}/")
    if action == "create_auction":
        body = {
            "title": "Matrix",
            "starting_price": "5.00",
            "min_increment": "1.00",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=1)).isoformat(),
        }
        return client.post("/api/v1/auctions/", body, format="json")
    if action == "approve_auction":
        return client.post(f"/api/v1/auctions/{fresh('pending').pk}/approve/")
    if action == "reject_auction":
        return client.post(f"/api/v1/auctions/{fresh('pending').pk}/reject/", {"reason": "No."}, format="json")
    if action == "bid":
        w["bid"] = w.get("bid", 100) + 10  # each allowed bidder outbids the one before
        return client.post(f"/api/v1/auctions/{w['live'].pk}/bids/", {"amount": f"{w['bid']}.00"}, format="json")
    if action == "close_auction":
        return client.post(f"/api/v1/auctions/{w['ended'].pk}/close/")
    if action == "list_reviews":
        return client.get("/api/v1/reviews/")
    if action == "read_review":
        return client.get(f"/api/v1/reviews/{fresh('review').pk}/")
    if action == "create_review":
        review_body = {"order": w["order"].pk, "product": w["unreviewed"].pk, "rating": 4}
        return client.post("/api/v1/reviews/", review_body, format="json")
    if action == "edit_review":
        return client.patch(f"/api/v1/reviews/{fresh('review').pk}/", {"rating": 2}, format="json")
    if action == "delete_review":
        return client.delete(f"/api/v1/reviews/{fresh('review').pk}/")
    raise AssertionError(action)


@pytest.mark.parametrize("action", MATRIX)
def test_role_matrix(store: Store, world: dict[str, Any], action: str) -> None:
    for role, name in ROLES.items():
        # given a fresh client per role; objects made per call where an action uses them up
        response = _act(store.client(name), action, world, store)
        allowed = role in MATRIX[action]
        # then
        if allowed:
            assert response.status_code < 300, (action, role, response.content)
        else:
            expected = {401, 404} if name is None else {403, 404}  # anonymous reads of the unseen: 404
            assert response.status_code in expected, (action, role, response.status_code, response.content)
        # a review made for this role's try is gone or kept: each try makes its own
        if action in {"read_review", "edit_review", "delete_review"}:
            with tenant_context(store.tenant):
                from tenant_apps.store.reviews.models import Review

                Review.objects.filter(order=world["order"]).delete()
