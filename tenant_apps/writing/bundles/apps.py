"""The writing bundles app (writing sites); ``ready`` hooks purchases to ``invoice_paid`` and
bundle-paid orders to ``order_cancelled`` in writing schemas."""

from django.apps import AppConfig


class WritingBundlesConfig(AppConfig):
    """Class bundles and express classes (writing kind)."""

    name = "tenant_apps.writing.bundles"
    label = "writing_bundles"
    verbose_name = "Writing bundles"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.writing.bundles.receivers import on_invoice_paid, on_order_cancelled
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.orders.models import Order
        from tenant_apps.writing.orders.signals import order_cancelled

        # invoice_paid is sent in every kind's schemas; the purchases' table exists only in writing ones.
        connect_for_kind(
            invoice_paid,
            on_invoice_paid,
            kind=KIND.name,
            sender=Invoice,
            dispatch_uid="writing_bundles.on_invoice_paid",
        )
        connect_for_kind(
            order_cancelled,
            on_order_cancelled,
            kind=KIND.name,
            sender=Order,
            dispatch_uid="writing_bundles.on_order_cancelled",
        )
