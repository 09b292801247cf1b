"""The writing special orders app (writing sites); ``ready`` hooks it to ``invoice_paid``."""

from django.apps import AppConfig


class WritingSpecialOrdersConfig(AppConfig):
    """Special orders quoted by an admin and paid in installments (writing kind)."""

    name = "tenant_apps.writing.special_orders"
    label = "writing_special_orders"
    verbose_name = "Writing special orders"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.special_orders.receivers import on_invoice_paid

        # invoice_paid is sent in every kind's schemas; the installments' table exists only in writing ones.
        connect_for_kind(
            invoice_paid,
            on_invoice_paid,
            kind=KIND.name,
            sender=Invoice,
            dispatch_uid="writing_special_orders.on_invoice_paid",
        )
