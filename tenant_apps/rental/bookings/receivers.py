"""Reactions to other apps' signals: a paid booking invoice confirms the booking."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: confirm the booking ``invoice`` bills, if any, inside the
    payment's transaction (``services.booking_confirm_paid``)."""
    from tenant_apps.rental.bookings.services import booking_confirm_paid

    booking_confirm_paid(invoice=invoice)
