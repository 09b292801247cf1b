"""Reactions to other apps' signals: a paid invoice unlocks its product and seats the student."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: mark the purchase billed by ``invoice`` paid and place its
    student in a group, inside the payment's transaction (``services.product_purchase_mark_paid``)."""
    from tenant_apps.school.lessons.services import product_purchase_mark_paid

    product_purchase_mark_paid(invoice=invoice)
