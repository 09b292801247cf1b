"""Reads of carts and orders: querysets with what their serializers need, never writes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from tenant_apps.store.catalog.models import Product
from tenant_apps.store.catalog.pricing import effective_prices
from tenant_apps.store.orders.access import available_orders, orders_visible_to
from tenant_apps.store.orders.models import CartItem, Order, OrderItem, OrderStatus


def cart_items(*, user: Any) -> QuerySet[CartItem]:
    """``user``'s cart lines with their products, oldest first."""
    return CartItem.objects.filter(buyer_id=user.pk).select_related("product")


def cart_prices(items: list[CartItem], *, at: datetime | None = None) -> dict[int, Decimal]:
    """``{product id: effective price now}`` for the cart's products (``catalog.pricing``, one query)."""
    products: list[Product] = [item.product for item in items]
    return effective_prices(products, at=at)


def with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    """``orders`` with their buyer, delivery user, items and proof read in a fixed number of queries."""
    return orders.select_related("buyer", "delivery_user", "proof").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )


def order_list(*, user: Any) -> QuerySet[Order]:
    """The orders ``user`` may see (``access.orders_visible_to``), newest first, with details."""
    return with_details(orders_visible_to(user))


def available_order_list(*, user: Any) -> QuerySet[Order]:
    """Orders waiting for a courier, oldest first (delivery users; empty for anyone else)."""
    return with_details(available_orders(user)).order_by("created_at", "id")


def orders_due_for_completion(*, now: datetime, wait_days: int) -> QuerySet[Order]:
    """Delivered orders whose wait (``wait_days`` after ``delivered_at``) has passed by ``now``."""
    from datetime import timedelta

    return Order.objects.filter(
        status=OrderStatus.DELIVERED, delivered_at__lte=now - timedelta(days=wait_days)
    ).order_by("delivered_at", "id")
