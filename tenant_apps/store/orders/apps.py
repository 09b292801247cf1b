"""The orders app (store sites)."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Cart, checkout with escrow, delivery with proof, completion and settlement (store kind)."""

    name = "tenant_apps.store.orders"
    label = "orders"
    verbose_name = "Orders"
