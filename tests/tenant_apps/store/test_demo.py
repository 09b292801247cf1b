"""The store's demo (``make run`` seeds ``store.localhost`` with it): every state a visitor should see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.catalog.models import Brand, Category, Product
from tenant_apps.store.demo import seed_demo
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.returns.models import ReturnRequest
from tenant_apps.store.reviews.models import Review
from tests.fixture_types import MakeUser


def test_the_store_demo_shows_every_state_and_a_second_run_adds_nothing(gamma: Tenant, make_user: MakeUser) -> None:
    # given the per-role users setup_demo makes
    for role in ("customer", "seller", "delivery"):
        make_user(gamma, f"{role}@gamma.{settings.PLATFORM_DOMAIN}", roles=[role])
    with tenant_context(gamma):
        # when
        first = seed_demo(password="demo-pass-1234")
        counts = _counts()
        second = seed_demo(password="demo-pass-1234")
        # then
        assert _counts() == counts
        assert first["orders"] == second["orders"]
        assert set(first["orders"]) == {s.value for s in OrderStatus}
        assert Category.objects.filter(depth__gt=1).exists()
        assert set(Brand.objects.values_list("status", flat=True)) == {"pending", "approved", "rejected"}
        assert Product.objects.filter(images__isnull=False, stock__gt=0).exists()
        live = Auction.objects.get(title=first["auctions"]["live"])
        assert (live.status, live.bids_count >= 2) == (AuctionStatus.SCHEDULED, True)
        assert Review.objects.exists()
        assert first["returns"] == second["returns"] == ReturnRequest.objects.count() >= 1
        assert Order.objects.filter(status=OrderStatus.DELIVERED, proof__confirmed_at__isnull=False).exists()


def _counts() -> dict[str, Any]:
    return {
        "products": Product.objects.count(),
        "orders": Order.objects.count(),
        "auctions": Auction.objects.count(),
        "bids": sum(Auction.objects.values_list("bids_count", flat=True)),
        "reviews": Review.objects.count(),
        "returns": ReturnRequest.objects.count(),
    }
