"""Demo orders: one order of a buyer in every state of its life, made through the services.

``seed_orders`` is for the store's demo seeder (``tenant_apps/store/demo.py``, wired by the kind):
given products on sale, a customer and a delivery user, it leaves the buyer with one order in each
of ``DEMO_STATES`` (created, processing, shipped, delivered, completed, cancelled). Idempotent: a
state the buyer already has an order in is not made again. ``order_walk`` moves one order along
the allowed transitions; the test factories use it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from tenant_apps.store.catalog.models import Product
from tenant_apps.store.catalog.pricing import effective_price
from tenant_apps.store.orders.models import DeliveryProof, Order, OrderStatus
from tenant_apps.store.orders.services import (
    cart_item_add,
    order_cancel,
    order_checkout,
    order_claim,
    order_complete,
    order_confirm_delivery,
    order_ship,
    profile_update,
)
from tenant_apps.store.shop.services import store_profile_of, store_settings
from tenant_apps.wallet.services import wallet_open, wallet_top_up

#: The states a demo buyer gets one order in.
DEMO_STATES: tuple[str, ...] = (
    OrderStatus.CREATED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.CANCELLED,
)
#: The forward path of an order; ``cancelled`` branches off ``created``.
_PATH = (OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


def ensure_location(user: Any) -> None:
    """Give ``user`` a demo delivery location unless they have one."""
    profile = store_profile_of(user)
    if profile is None or not profile.has_location:
        profile_update(
            user=user,
            location_lat=Decimal("52.520008"),
            location_lng=Decimal("13.404954"),
            location_address="Alexanderplatz 1, 10178 Berlin",
        )


def order_buy(*, buyer: Any, lines: Sequence[tuple[Product, int]], fund_reference: str = "") -> Order:
    """Fund ``buyer``'s wallet with what ``lines`` cost now (a top-up), fill their cart and check
    out; returns the ``created`` order. ``fund_reference`` makes the top-up idempotent."""
    ensure_location(buyer)
    cost = sum((effective_price(product) * quantity for product, quantity in lines), Decimal("0"))
    wallet_top_up(wallet=wallet_open(user=buyer), amount=cost, reference=fund_reference, memo="demo funds")
    for product, quantity in lines:
        cart_item_add(buyer=buyer, product=product, quantity=quantity)
    return order_checkout(buyer=buyer)


def order_walk(*, order: Order, to: str, courier: Any = None) -> Order:
    """Move ``order`` (``created``) along the allowed transitions to ``to``: claimed and shipped by
    ``courier``, delivered with the buyer's PIN, completed as if the wait had passed, or cancelled
    by its buyer. Returns the order as stored."""
    if to == OrderStatus.CANCELLED:
        return order_cancel(order_id=order.pk, actor=order.buyer)
    steps = _PATH[: _PATH.index(to) + 1] if to in _PATH else ()
    for step in steps:
        if step == OrderStatus.PROCESSING:
            order_claim(order_id=order.pk, courier=courier)
        elif step == OrderStatus.SHIPPED:
            order_ship(order_id=order.pk, courier=courier)
        elif step == OrderStatus.DELIVERED:
            pin = DeliveryProof.objects.get(order_id=order.pk).pin
            order_confirm_delivery(order_id=order.pk, courier=courier, token=pin)
        else:
            order.refresh_from_db()
            assert order.delivered_at is not None
            wait = timedelta(days=store_settings().completion_wait_days, seconds=1)
            order_complete(order_id=order.pk, now=order.delivered_at + wait)
    order.refresh_from_db()
    return order


def seed_orders(*, buyer: Any, courier: Any, products: Sequence[Product]) -> dict[str, Order]:
    """One order of ``buyer`` in each of ``DEMO_STATES`` (``{state: order}``), one unit of each of
    ``products`` (approved, in stock, not the buyer's) per order, walked by ``courier``.
    Idempotent: states ``buyer`` already has an order in are kept as they are."""
    found: dict[str, Order] = {}
    with transaction.atomic():
        for state in DEMO_STATES:
            existing = Order.objects.filter(buyer_id=buyer.pk, status=state).order_by("pk").first()
            if existing is not None:
                found[state] = existing
                continue
            order = order_buy(buyer=buyer, lines=[(product, 1) for product in products])
            found[state] = order_walk(order=order, to=state, courier=courier)
    return found
