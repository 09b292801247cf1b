"""Reads on invoices and payments, always starting from the scopes in ``access.py``
(``invoices_visible_to``, ``payments_visible_to``: finance users see all, anyone else their own);
one object is fetched, checked, by ``access.access_invoice`` and ``access.access_payment``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from tenant_apps.payments.access import invoices_visible_to, payments_visible_to
from tenant_apps.payments.models import ZERO, Invoice, Payment, PaymentStatus


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
