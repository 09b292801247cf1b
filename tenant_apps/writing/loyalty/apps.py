"""The writing loyalty app (writing sites); ``ready`` hooks points to the orders' signals."""

from django.apps import AppConfig


class WritingLoyaltyConfig(AppConfig):
    """Loyalty points, tiers and redemptions (writing kind)."""

    name = "tenant_apps.writing.loyalty"
    label = "writing_loyalty"
    verbose_name = "Writing loyalty"

    def ready(self) -> None:
        from tenant_apps.writing.loyalty.receivers import on_order_completed, on_order_refunded
        from tenant_apps.writing.orders.models import Order
        from tenant_apps.writing.orders.signals import order_completed, order_refunded

        # The orders' signals are sent only by writing orders, so in writing schemas only.
        order_completed.connect(on_order_completed, sender=Order, dispatch_uid="writing_loyalty.on_order_completed")
        order_refunded.connect(on_order_refunded, sender=Order, dispatch_uid="writing_loyalty.on_order_refunded")
