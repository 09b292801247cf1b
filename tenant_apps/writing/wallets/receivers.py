"""Reactions to other apps' signals: a paid top-up invoice credits the client's wallet."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: credit the top-up ``invoice`` bills, if any, inside the
    payment's transaction (``services.top_up_credit``)."""
    from tenant_apps.writing.wallets.services import top_up_credit

    top_up_credit(invoice=invoice)
