"""Reads on invoices and payments, always scoped to what the user may see (``access.user_is_finance``:
finance users see all, anyone else their own); one object is fetched, checked, by
``access.access_invoice`` and ``access.access_payment``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tenant_apps.payments.access import user_is_finance
from tenant_apps.payments.models import ZERO, Invoice, Payment, PaymentStatus


def _pending_sum() -> Coalesce:
    pending = (
        Payment.objects.filter(invoice=OuterRef("pk"), status=PaymentStatus.PENDING)
        .order_by()
        .values("invoice")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    money = DecimalField(max_digits=12, decimal_places=2)
    return Coalesce(Subquery(pending, output_field=money), Value(ZERO), output_field=money)


def invoices_visible_to(user: Any) -> QuerySet[Invoice]:
    """Every invoice ``user`` may see (finance: all; others: their own), with ``amount_pending``,
    its lines and its payments (with payer, receipt and decider) prefetched."""
    invoices = (
        Invoice.objects.select_related("customer")
        .annotate(amount_pending=_pending_sum())
        .prefetch_related("lines", "payments__payer", "payments__receipt", "payments__decided_by")
    )
    if not user_is_finance(user):
        invoices = invoices.filter(customer_id=user.pk)
    return invoices


def invoice_list(
    *, user: Any, status: str | None = None, customer_id: int | None = None, overdue: bool | None = None
) -> QuerySet[Invoice]:
    """Invoices ``user`` may see, newest first, optionally filtered.

    ``status``: one of ``InvoiceStatus``; ``customer_id``: the customer's user id; ``overdue``:
    unpaid or partially paid and due before today (UTC).
    """
    from django.utils import timezone

    invoices = invoices_visible_to(user)
    if status:
        invoices = invoices.filter(status=status)
    if customer_id is not None:
        invoices = invoices.filter(customer_id=customer_id)
    if overdue is not None:
        late = {"due_date__lt": timezone.localdate(), "status__in": ["unpaid", "partially_paid"]}
        invoices = invoices.filter(**late) if overdue else invoices.exclude(**late)
    return invoices.order_by("-issued_at", "-id")


def payments_visible_to(user: Any) -> QuerySet[Payment]:
    """Every payment ``user`` may see: finance all, others those on their own invoices."""
    payments = Payment.objects.select_related("invoice", "payer", "receipt", "decided_by")
    if not user_is_finance(user):
        payments = payments.filter(invoice__customer_id=user.pk)
    return payments


def payment_list(
    *, user: Any, status: str | None = None, method: str | None = None, invoice_id: int | None = None
) -> QuerySet[Payment]:
    """Payments ``user`` may see, newest first; finance users' queue is ``status="pending"``."""
    payments = payments_visible_to(user)
    if status:
        payments = payments.filter(status=status)
    if method:
        payments = payments.filter(method=method)
    if invoice_id is not None:
        payments = payments.filter(invoice_id=invoice_id)
    return payments.order_by("-created_at", "-id")


def invoice_open_amount(invoice: Invoice) -> Decimal:
    """What may still be paid on ``invoice``: total - approved - pending (never negative).

    Read without a lock: an indication for clients. The services recompute it under the
    invoice's row lock before accepting a payment.
    """
    if invoice.cancelled_at is not None:
        return ZERO
    pending = getattr(invoice, "amount_pending", None)
    if pending is None:
        pending = invoice.payments.filter(status=PaymentStatus.PENDING).aggregate(s=Sum("amount"))["s"] or ZERO
    return max(invoice.total - invoice.amount_paid - pending, ZERO)
