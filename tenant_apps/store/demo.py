"""Demo data of a ``store`` site for ``manage.py setup_demo`` (``make run``): the catalog, orders in
every delivery state, a live auction with bids, reviews, and a return. Every step is idempotent,
so a second ``make run`` keeps what the first one made."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from saas.db.tenant import current_schema


def _user(local: str) -> Any:
    from tenant_apps.accounts.models import User

    return User.objects.get(email=f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}")


def _bidder(local: str, *, password: str) -> Any:
    """A demo customer who bids: created when missing, with a location and 500.00 to bid with."""
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.services import user_create
    from tenant_apps.store.kind import CUSTOMER
    from tenant_apps.store.orders.demo import ensure_location
    from tenant_apps.wallet.services import wallet_open, wallet_top_up

    email = f"{local}@{current_schema()}.{settings.PLATFORM_DOMAIN}"
    user = User.objects.filter(email=email).first() or user_create(
        email=email, password=password, roles=[CUSTOMER], full_name=f"Demo {local.title()}"
    )
    ensure_location(user)
    wallet_top_up(wallet=wallet_open(user=user), amount="500.00", reference="demo:auction-funds", memo="demo funds")
    return user


def seed_demo(*, password: str) -> dict[str, Any]:
    """Create (idempotently) the store demo data in the current schema; returns what exists.

    The users are the demo's per-role users (``customer@``, ``seller@``, ``delivery@``,
    ``admin@<site>``); the catalog adds a second seller (``seller2@``) and the auction a second
    bidder (``bidder@``). Buyers get a delivery location and a funded wallet before buying.
    """
    from tenant_apps.store.auctions.demo import seed_auctions_demo, seed_reviews_demo
    from tenant_apps.store.catalog.demo import seed_catalog
    from tenant_apps.store.catalog.models import Product, ProductStatus
    from tenant_apps.store.orders.demo import ensure_location, seed_orders
    from tenant_apps.store.returns.demo import seed_returns_demo
    from tenant_apps.store.returns.models import ReturnRequest

    catalog = seed_catalog(password=password)
    customer, courier, seller = _user("customer"), _user("delivery"), _user("seller")
    ensure_location(customer)
    products = list(
        Product.objects.filter(status=ProductStatus.APPROVED, is_active=True, stock__gte=20)
        .exclude(seller_id=customer.pk)
        .order_by("pk")[:2]
    )
    orders = seed_orders(buyer=customer, courier=courier, products=products)
    bidders = [_bidder("customer", password=password), _bidder("bidder", password=password)]
    auctions = seed_auctions_demo(seller=seller, bidders=bidders)
    reviews = seed_reviews_demo()
    data: dict[str, Any] = {
        "catalog": catalog,
        "orders": {state: order.number for state, order in orders.items()},
        "auctions": {"live": auctions["live"].title, "upcoming": auctions["upcoming"].title, "bids": auctions["bids"]},
        "reviews": len(reviews),
    }
    seed_returns_demo(buyer=customer)
    data["returns"] = ReturnRequest.objects.filter(buyer_id=customer.pk).count()
    return data
