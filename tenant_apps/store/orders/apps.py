"""The orders app (store sites); ``ready`` hooks card top-ups to ``invoice_paid`` in store schemas."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    """Cart, checkout with escrow, delivery with proof, completion and settlement (store kind)."""

    name = "tenant_apps.store.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.store.kind import KIND
        from tenant_apps.store.orders.receivers import on_invoice_paid

        # invoice_paid is sent in every kind's schemas; the top-ups' table exists only in store ones.
        connect_for_kind(
            invoice_paid, on_invoice_paid, kind=KIND.name, sender=Invoice, dispatch_uid="orders.on_invoice_paid"
        )
