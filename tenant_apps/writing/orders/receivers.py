"""Reactions to other apps' signals: a paid order invoice makes the order available to writers."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: mark the order ``invoice`` bills paid, if any, inside the
    payment's transaction (``services.order_mark_paid``)."""
    from tenant_apps.writing.orders.services import order_mark_paid

    order_mark_paid(invoice=invoice)
