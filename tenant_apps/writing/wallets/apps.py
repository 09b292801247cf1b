"""The writing wallets app; ``ready`` hooks card top-ups to ``invoice_paid`` in writing schemas."""

from django.apps import AppConfig


class WritingWalletsConfig(AppConfig):
    """Card top-ups of clients' wallets and writers' payout requests (writing kind)."""

    name = "tenant_apps.writing.wallets"
    label = "writing_wallets"
    verbose_name = "Writing wallets"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.writing.kind import KIND
        from tenant_apps.writing.wallets.receivers import on_invoice_paid

        # invoice_paid is sent in every kind's schemas; the top-ups' table exists only in writing ones.
        connect_for_kind(
            invoice_paid,
            on_invoice_paid,
            kind=KIND.name,
            sender=Invoice,
            dispatch_uid="writing_wallets.on_invoice_paid",
        )
