"""The bookings app (rental sites); ``ready`` hooks bookings to ``invoice_paid`` in rental schemas."""

from django.apps import AppConfig


class BookingsConfig(AppConfig):
    """Bookings, their invoices, cancellations and host payouts (rental kind)."""

    name = "tenant_apps.rental.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from tenant_apps.kinds import connect_for_kind
        from tenant_apps.payments.models import Invoice
        from tenant_apps.payments.signals import invoice_paid
        from tenant_apps.rental.bookings.receivers import on_invoice_paid
        from tenant_apps.rental.kind import KIND

        # invoice_paid is sent in every kind's schemas; the bookings' table exists only in rental ones.
        connect_for_kind(
            invoice_paid, on_invoice_paid, kind=KIND.name, sender=Invoice, dispatch_uid="bookings.on_invoice_paid"
        )
