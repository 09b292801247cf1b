"""The payments app (every tenant kind): invoices, offline payments decided by finance users, Stripe
payments and their webhook; ``ready`` lets payers and finance users read receipts."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Invoices, offline and Stripe payments, the Stripe webhook, invoice PDFs by e-mail."""

    name = "tenant_apps.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.payments.access import can_read_receipt

        register_file_access(can_read_receipt)
