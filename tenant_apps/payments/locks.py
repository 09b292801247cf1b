"""Row locks of invoices and payments: the invoice first, then its payments, always in that order,
so two writers on one invoice queue up instead of both passing the overpayment check or
deadlocking (the platform-wide order is in docs/architecture.md, "Locks in one order").

Creating an invoice locks the tenant's invoice counter (``invoice_counter_lock``) until its
transaction ends, so numbers are handed out one after the other, without gaps or repeats.
"""

from __future__ import annotations

from django.db.models import QuerySet

from tenant_apps.payments.models import Invoice, InvoiceCounter, Payment, PaymentStatus


def invoice_lock(pk: int) -> Invoice:
    """The invoice row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return Invoice.objects.select_for_update(no_key=True, of=("self",)).select_related("customer").get(pk=pk)


def payment_lock(pk: int) -> Payment:
    """The payment row, locked; lock its invoice first (``invoice_lock``)."""
    return Payment.objects.select_for_update(no_key=True, of=("self",)).select_related("payer").get(pk=pk)


def pending_payments_lock(invoice: Invoice) -> QuerySet[Payment]:
    """The pending payments of ``invoice``, with their payers, locked in primary-key order when
    evaluated; lock the invoice first (``invoice_lock``)."""
    return (
        Payment.objects.select_for_update(no_key=True, of=("self",))
        .select_related("payer")
        .filter(invoice=invoice, status=PaymentStatus.PENDING)
        .order_by("pk")
    )


def invoice_counter_lock(key: str) -> InvoiceCounter:
    """The counter ``key`` of this tenant, locked until the transaction ends (call inside
    ``transaction.atomic``); created at zero the first time it is asked for (two first callers at
    once both get the one row)."""
    counter = InvoiceCounter.objects.select_for_update(no_key=True).filter(key=key).first()
    if counter is None:
        InvoiceCounter.objects.bulk_create([InvoiceCounter(key=key)], ignore_conflicts=True)
        counter = InvoiceCounter.objects.select_for_update(no_key=True).get(key=key)
    return counter
