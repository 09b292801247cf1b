"""The writing fines app; ``ready`` hooks the fine rules to the orders' signals in writing schemas."""

from django.apps import AppConfig


class WritingFinesConfig(AppConfig):
    """Writers' fines and their appeals (writing kind)."""

    name = "tenant_apps.writing.fines"
    label = "writing_fines"
    verbose_name = "Writing fines"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.writing.fines import receivers
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.orders import signals
        from tenant_apps.writing.orders.models import Order

        for signal, receiver, name in (
            (signals.order_submitted, receivers.on_order_submitted, "submitted"),
            (signals.order_revision_requested, receivers.on_order_revision_requested, "revision_requested"),
            (signals.order_delivered, receivers.on_order_delivered, "delivered"),
            (signals.order_completed, receivers.on_order_completed, "completed"),
            (signals.order_cancelled, receivers.on_order_cancelled, "cancelled"),
        ):
            connect_for_kind(signal, receiver, kind=KIND.name, sender=Order, dispatch_uid=f"writing_fines.on_{name}")
