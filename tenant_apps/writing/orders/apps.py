"""The writing orders app; ``ready`` hooks orders to ``invoice_paid`` in writing schemas."""

from django.apps import AppConfig


class WritingOrdersConfig(AppConfig):
    """Orders of a writing site: placement, payment, assignment, review, revisions, completion."""

    name = "tenant_apps.writing.orders"
    label = "writing_orders"
    verbose_name = "Writing orders"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.orders.receivers import on_invoice_paid

        # invoice_paid is sent in every kind's schemas; the orders' table exists only in writing ones.
        connect_for_kind(
            invoice_paid, on_invoice_paid, kind=KIND.name, sender=Invoice, dispatch_uid="writing_orders.on_invoice_paid"
        )
