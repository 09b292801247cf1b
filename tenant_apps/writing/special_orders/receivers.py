"""Reactions to other apps' signals: a paid installment invoice marks its installment paid."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: mark the installment ``invoice`` bills paid, if any,
    inside the payment's transaction (``services.installment_mark_paid``; idempotent)."""
    from tenant_apps.writing.special_orders.services import installment_mark_paid

    installment_mark_paid(invoice=invoice)
