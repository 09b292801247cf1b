"""The bookings app (rental sites)."""

from django.apps import AppConfig


class BookingsConfig(AppConfig):
    """Bookings, their invoices, cancellations and host payouts (rental kind)."""

    name = "tenant_apps.rental.bookings"
    label = "bookings"
    verbose_name = "Bookings"
