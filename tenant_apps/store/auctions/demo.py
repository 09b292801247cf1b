"""Demo data of the auctions and reviews apps for ``manage.py setup_demo`` on a store site.

Call inside the store tenant's context, after its demo users exist (a seller, customers) and,
for reviews, once there is a delivered order (the orders app's demo)::

    from tenant_apps.store.auctions.demo import seed_auctions_demo, seed_reviews_demo

    with tenant_context(tenant):
        seed_auctions_demo(seller=seller, bidders=[ann, bob])
        seed_reviews_demo()

Idempotent: a demo auction that exists (by title) is kept as it is with its bids; a review that
exists (one per product and order) is kept. Bidders need a delivery location and money in their
wallet (the shop's and wallet's demo give them both); a bidder without either is skipped.
Returns: see the report of the store-auctions branch (not on this branch yet).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from saas.errors import ApplicationError
from tenant_apps.accounts.models import User
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.store.auctions import services
from tenant_apps.store.auctions.models import Auction, AuctionStatus
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.reviews.models import Review
from tenant_apps.store.reviews.services import review_create

LIVE_TITLE = "Demo: signed first-edition print"
UPCOMING_TITLE = "Demo: vintage mechanical watch"


def _admin() -> Any:
    return User.objects.filter(groups__name=ADMIN, is_active=True).order_by("pk").first()


def seed_auctions_demo(*, seller: Any, bidders: list[Any]) -> dict[str, Any]:
    """A live auction (ending in two days) with a bid from each bidder that can bid, each
    outbidding the last, and an upcoming one, both approved by the site's first admin.

    Returns ``{"live": auction, "upcoming": auction, "bids": n}``; idempotent (see the module).
    """
    admin = _admin()
    now = timezone.now()
    made: dict[str, Any] = {"bids": 0}
    for key, title, start, end in (
        ("live", LIVE_TITLE, now - timedelta(hours=1), now + timedelta(days=2)),
        ("upcoming", UPCOMING_TITLE, now + timedelta(days=1), now + timedelta(days=3)),
    ):
        auction = Auction.objects.filter(title=title, seller=seller).first()
        if auction is None:
            auction = services.auction_create(
                seller=seller,
                title=title,
                description="A demo auction.",
                starting_price=Decimal("20.00"),
                min_increment=Decimal("2.00"),
                starts_at=start,
                ends_at=end,
            )
        if auction.status == AuctionStatus.PENDING and admin is not None:
            auction = services.auction_approve(auction=auction, actor=admin)
        made[key] = auction
    live = made["live"]
    if live.bids_count == 0:
        amount = live.starting_price
        for bidder in bidders:
            try:
                services.bid_place(auction=live, bidder=bidder, amount=amount)
            except ApplicationError:
                continue  # no location or money: the demo goes on without this bidder
            made["bids"] += 1
            live.refresh_from_db()
            amount = (live.current_price or amount) + live.min_increment
    return made


def seed_reviews_demo(*, ratings: tuple[int, ...] = (5, 4, 3)) -> list[Review]:
    """A review by its buyer of each product of the site's delivered or completed orders that has
    none, until the site has ``len(ratings)`` reviews, rated in turn from ``ratings``. Idempotent."""
    made: list[Review] = list(Review.objects.order_by("pk")[: len(ratings)])  # a second run adds none
    orders = Order.objects.filter(status__in=[OrderStatus.DELIVERED, OrderStatus.COMPLETED]).order_by("pk")
    for order in orders:
        for item in order.items.filter(product__isnull=False).order_by("pk"):
            if len(made) >= len(ratings):
                return made
            product = item.product
            if product is None or Review.objects.filter(order=order, product=product).exists():
                continue
            made.append(
                review_create(
                    author=order.buyer,
                    order=order,
                    product=product,
                    rating=ratings[len(made)],
                    title="Demo review",
                    body="As described, well packed.",
                )
            )
    return made
