"""Isolation between store sites (``gamma`` and ``delta``): one site's auctions and reviews are
never reachable from the other, by list, id or action, and its tokens are refused there."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories.store_auctions import AuctionFactory
from tests.factories.store_reviews import ReviewFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.store.conftest import Store, make_store


def test_auctions_and_reviews_of_one_store_are_unreachable_from_another(
    store: Store, delta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: an auction and a review in gamma; the people of delta
    with tenant_context(store.tenant):
        auction = AuctionFactory(seller=store.sam, live=True)
        review = ReviewFactory()
    other = make_store(delta, client_for, login)
    # when / then: delta's admin and customer see none of it
    for who in ("admin", "cal"):
        client = other.client(who)
        assert auction.pk not in {a["id"] for a in client.get("/api/v1/auctions/").json()["results"]}
        assert review.pk not in {r["id"] for r in client.get("/api/v1/reviews/").json()["results"]}
        assert client.get(f"/api/v1/auctions/{auction.pk}/").status_code == 404
        assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    bid = other.client("cal").post(f"/api/v1/auctions/{auction.pk}/bids/", {"amount": "50.00"}, format="json")
    assert bid.status_code == 404
    assert other.client("admin").post(f"/api/v1/auctions/{auction.pk}/close/").status_code == 404
    # and gamma's token is refused on delta
    gamma_token = login(store.tenant, store.cal.email)["access"]
    assert client_for(delta, gamma_token).get("/api/v1/auctions/").status_code == 401
