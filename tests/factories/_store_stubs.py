"""Stand-ins for the catalog, orders and shop factories, which live on other branches.

**To be replaced by the catalog/orders/shop factories when the branches are merged.** They build
rows directly through the ORM (the services that make them are not on this branch): a category,
an approved product with stock, a customer with a delivery location and a funded wallet, and a
delivered order whose total is held in the buyer's wallet (reference ``order:<id>:hold``), as
checkout and delivery would leave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import count
from typing import Any

from django.conf import settings
from django.utils import timezone

from tenant_apps.store.catalog.models import Category, Product, ProductStatus
from tenant_apps.store.kind import CUSTOMER, DELIVERY, SELLER
from tenant_apps.store.orders.models import Order, OrderItem, OrderStatus
from tenant_apps.store.orders.numbers import new_order_number
from tenant_apps.store.shop.models import StoreProfile
from tenant_apps.store.shop.services import store_settings
from tenant_apps.wallet.services import escrow_hold, wallet_open, wallet_top_up
from tests.factories.accounts import UserFactory

_serial = count(1)


def store_category() -> Category:
    """A root category (``Category.objects.add_root``). STUB: replace with the catalog's factory."""
    n = next(_serial)
    category: Category = Category.objects.add_root(
        instance=Category(name=f"Category {n}", slug=f"stub-{n}-{timezone.now():%H%M%S%f}")
    )
    return category


def store_user(role: str, *, email: str | None = None, **fields: Any) -> Any:
    """A user of the current store site with ``role`` (``UserFactory``)."""
    return UserFactory(roles=[role], **({"email": email} if email else {}), **fields)


def store_seller(**fields: Any) -> Any:
    """A seller of the current store site."""
    return store_user(SELLER, **fields)


def store_delivery(**fields: Any) -> Any:
    """A delivery user of the current store site."""
    return store_user(DELIVERY, **fields)


def store_customer(*, funds: Decimal | str = "1000.00", location: bool = True, **fields: Any) -> Any:
    """A customer with a delivery location (unless ``location=False``) and ``funds`` in their
    wallet (``wallet_top_up``). STUB for the location: replace with the shop's profile service."""
    user = store_user(CUSTOMER, **fields)
    if location:
        StoreProfile.objects.update_or_create(
            user=user,
            defaults={
                "location_lat": Decimal("52.520008"),
                "location_lng": Decimal("13.404954"),
                "location_address": "1 Test Street, Berlin",
            },
        )
    if Decimal(funds):
        wallet_top_up(wallet=wallet_open(user=user), amount=funds, memo="test funds")
    return user


def store_product(*, seller: Any = None, price: Decimal | str = "25.00", stock: int = 10, title: str = "") -> Product:
    """An approved, active product of ``seller`` with ``stock`` units. STUB: replace with the
    catalog's factory."""
    n = next(_serial)
    return Product.objects.create(
        seller=seller or store_seller(),
        category=store_category(),
        title=title or f"Product {n}",
        slug=f"stub-product-{n}-{timezone.now():%H%M%S%f}",
        price=Decimal(price),
        currency=settings.DEFAULT_CURRENCY,
        stock=stock,
        status=ProductStatus.APPROVED,
    )


def store_delivered_order(
    *,
    buyer: Any = None,
    lines: Sequence[tuple[Product, int]] = (),
    status: str = OrderStatus.DELIVERED,
    delivered_at: datetime | None = None,
    delivery_user: Any = None,
) -> Order:
    """A ``delivered`` (or ``completed``, by ``status``) order of ``buyer`` with ``lines`` of
    ``(product, quantity)`` at the products' prices (default: one unit of a new product), its
    total held in the buyer's wallet (``order:<id>:hold``) as checkout leaves it. A completed
    order was paid out: its sellers' wallets got their lines less the commission (``store_settings``)
    and the buyer holds nothing. STUB: replace with the orders' factory."""
    buyer = buyer or store_customer()
    lines = list(lines) or [(store_product(), 1)]
    total = sum((Decimal(product.price) * quantity for product, quantity in lines), Decimal("0"))
    now = timezone.now()
    order = Order.objects.create(
        number=new_order_number(),
        buyer=buyer,
        status=status,
        currency=settings.DEFAULT_CURRENCY,
        total=total,
        location_lat=Decimal("52.520008"),
        location_lng=Decimal("13.404954"),
        location_address="1 Test Street, Berlin",
        delivery_user=delivery_user or store_delivery(),
        claimed_at=now,
        shipped_at=now,
        delivered_at=delivered_at or now,
        completed_at=now if status == OrderStatus.COMPLETED else None,
    )
    for product, quantity in lines:
        OrderItem.objects.create(
            order=order,
            product=product,
            seller_id=product.seller_id,
            title=product.title,
            quantity=quantity,
            unit_price=product.price,
            line_total=Decimal(product.price) * quantity,
        )
    if status == OrderStatus.COMPLETED:  # paid out: each seller got their lines less the commission
        percent = store_settings().commission_percent
        for product, quantity in lines:
            net = (Decimal(product.price) * quantity * (100 - percent) / 100).quantize(Decimal("0.01"))
            wallet_top_up(wallet=wallet_open(user=product.seller), amount=net, memo="stub completion payout")
        return order
    wallet = wallet_open(user=buyer)
    wallet_top_up(wallet=wallet, amount=total, memo="test funds for an order")
    escrow_hold(wallet=wallet, amount=total, reference=f"order:{order.pk}:hold")
    return order
