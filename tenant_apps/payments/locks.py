"""Row locks of invoices and payments: the invoice first, then its payments, always in that order,
so two writers on one invoice queue up instead of both passing the overpayment check or
deadlocking (the platform-wide order is in docs/architecture.md, "Locks in one order")."""

from __future__ import annotations

from tenant_apps.payments.models import Invoice, Payment


def invoice_lock(pk: int) -> Invoice:
    """The invoice row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def payment_lock(pk: int) -> Payment:
    """The payment row, locked; lock its invoice first (``invoice_lock``)."""
    return Payment.objects.select_for_update(of=("self",)).select_related("payer").get(pk=pk)
