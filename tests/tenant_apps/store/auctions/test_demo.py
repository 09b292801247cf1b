"""The auctions and reviews demo seeders make a live auction with bids and reviews, idempotently."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.store.auctions.demo import seed_auctions_demo, seed_reviews_demo
from tests.factories import StoreOrderFactory
from tests.tenant_apps.store.conftest import Store


def test_the_demo_makes_a_live_auction_with_bids_and_reviews_once(store: Store) -> None:
    with tenant_context(store.tenant):
        StoreOrderFactory(buyer=store.cal, delivered=True)
        # when
        first = seed_auctions_demo(seller=store.sam, bidders=[store.cal, store.cora])
        reviews = seed_reviews_demo()
        again = seed_auctions_demo(seller=store.sam, bidders=[store.cal, store.cora])
        # then
        assert first["live"].status == "scheduled" and first["bids"] == 2
        first["live"].refresh_from_db()
        assert first["live"].bids_count == 2 and first["live"].leader_id == store.cora.pk
        assert again["live"].pk == first["live"].pk and again["bids"] == 0
        assert len(reviews) == 1 and seed_reviews_demo() == reviews  # a second run adds none
