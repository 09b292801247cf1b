"""Reactions to other apps' signals: a paid bundle invoice activates the purchase; a cancelled
order paid from a bundle gives its units back."""

from __future__ import annotations

from typing import Any

from tenant_apps.payments.models import Invoice


def on_invoice_paid(sender: Any, *, invoice: Invoice, **kwargs: Any) -> None:
    """``payments.signals.invoice_paid``: activate the bundle purchase ``invoice`` bills, if any,
    inside the payment's transaction (``services.purchase_activate``)."""
    from tenant_apps.writing.bundles.services import purchase_activate

    purchase_activate(invoice=invoice)


def on_order_cancelled(sender: Any, *, order: Any, actor: Any = None, **kwargs: Any) -> None:
    """``orders.signals.order_cancelled``: give back the units ``order`` drew, if any, inside the
    cancellation's transaction (``services.bundle_units_return``)."""
    from tenant_apps.writing.bundles.services import bundle_units_return

    bundle_units_return(order=order, actor=actor)
