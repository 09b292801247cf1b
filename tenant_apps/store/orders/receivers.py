"""Reactions to other apps' signals: a paid top-up invoice credits the customer's wallet."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: credit the wallet of the top-up ``invoice`` bills, if
    any, inside the payment's transaction (``services.wallet_top_up_credit``)."""
    from tenant_apps.store.orders.services import wallet_top_up_credit

    wallet_top_up_credit(invoice=invoice)
