"""Invoices: numbering without gaps, lines and totals, issue, cancel and withdraw, the e-mailed PDF."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.api.errors import ApplicationError
from saas.errors import Conflict, ErrorCode
from saas.money import (
    MAX_AMOUNT,
    normalize_currency,
    quantum,
    round_money,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.locks import invoice_counter_lock, invoice_lock, pending_payments_lock
from tenant_apps.payments.models import (
    ZERO,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
)
from tenant_apps.payments.services._common import (
    INVOICE_NUMBER_KEY,
    _email_invoice_after_commit,
    _notify_finance,
    _reject,
    _require_finance,
    _sums,
)

logger = logging.getLogger(__name__)


MAX_LINES = 100


MAX_QUANTITY = Decimal("99999999.99")


class LineItem(TypedDict):
    """One invoice line as callers pass it: ``quantity`` x ``unit_price`` (major units, e.g. ``"12.50"``)."""

    description: str
    quantity: Decimal | int | str
    unit_price: Decimal | int | str


def _next_invoice_number() -> str:
    """``INV-<n>`` from the tenant's counter row, locked until commit: gapless and never repeated."""
    counter = invoice_counter_lock(INVOICE_NUMBER_KEY)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"INV-{counter.value:06d}"


def _line_error(index: int, field: str, message: str) -> ApplicationError:
    return ApplicationError(
        f"Line {index + 1}: {message}", code=ErrorCode.INVALID_LINE, details={"lines": {str(index): {field: [message]}}}
    )


def _checked_lines(lines: Sequence[LineItem], currency: str) -> list[InvoiceLine]:
    if not 1 <= len(lines) <= MAX_LINES:
        raise ApplicationError(
            f"An invoice has from 1 to {MAX_LINES} lines.",
            code=ErrorCode.INVALID_LINE,
            details={"lines": [f"Give from 1 to {MAX_LINES} lines."]},
        )
    checked = []
    for index, line in enumerate(lines):
        description = str(line.get("description") or "").strip()
        if not description or len(description) > 300:
            raise _line_error(index, "description", "A description of 1 to 300 characters is required.")
        try:
            quantity = Decimal(line["quantity"])
            unit_price = Decimal(line["unit_price"])
        except (InvalidOperation, KeyError, TypeError, ValueError):
            raise _line_error(index, "quantity", "Quantity and unit price must be numbers.") from None
        if not (quantity.is_finite() and 0 < quantity <= MAX_QUANTITY and quantity == round(quantity, 2)):
            raise _line_error(index, "quantity", "The quantity must be above 0 with at most 2 decimals.")
        if not (
            unit_price.is_finite() and 0 <= unit_price <= MAX_AMOUNT and unit_price == round_money(unit_price, currency)
        ):
            places = 0 if quantum(currency) == 1 else 2
            raise _line_error(
                index, "unit_price", f"The unit price must be 0 or more with at most {places} decimals in {currency}."
            )
        amount = round_money(quantity * unit_price, currency)
        if amount > MAX_AMOUNT:
            raise _line_error(index, "quantity", f"The line amount may be at most {MAX_AMOUNT}.")
        checked.append(
            InvoiceLine(
                position=index + 1, description=description, quantity=quantity, unit_price=unit_price, amount=amount
            )
        )
    return checked


def invoice_create(
    *,
    customer: Any,
    lines: Sequence[LineItem],
    due_date: date,
    currency: str | None = None,
    note: str = "",
    created_by: Any = None,
    send_email: bool = True,
) -> Invoice:
    """Issue an invoice to ``customer`` (a user of this site) and e-mail it with its PDF after commit.

    The public entry point for other apps (an enrolment billing its student, say)::

        invoice_create(customer=user, due_date=date(2026, 12, 1), currency="EUR",
                       lines=[{"description": "Bootcamp fee", "quantity": 1, "unit_price": "500.00"}])

    ``lines``: 1 to 100 ``LineItem``; each amount is ``quantity x unit_price`` rounded half up to
    the currency's step (cents; whole units for JPY and the like); ``total`` is their sum and must be
    above zero. ``currency``: ISO 4217, default ``DEFAULT_CURRENCY``. ``due_date``: today or later.
    ``created_by``: the issuing user, ``None`` for the system. ``send_email=False`` skips the e-mail.
    The caller decides who may issue invoices (the API allows the finance roles).

    Raises ``ApplicationError`` (400): ``invalid_currency``, ``invalid_line``, ``invalid_amount``
    (total not above zero or too large), ``invalid_due_date``, ``invalid_customer`` (inactive).
    """
    currency = normalize_currency(currency or settings.DEFAULT_CURRENCY)
    checked = _checked_lines(lines, currency)
    total = sum((line.amount for line in checked), ZERO)
    if not ZERO < total <= MAX_AMOUNT:
        raise ApplicationError(
            f"The invoice total must be above zero and at most {MAX_AMOUNT}.",
            code=ErrorCode.INVALID_AMOUNT,
            details={"total": [str(total)]},
        )
    issued_at = timezone.now()
    if due_date < timezone.localdate(issued_at):
        raise ApplicationError(
            "The due date cannot be in the past.",
            code=ErrorCode.INVALID_DUE_DATE,
            details={"due_date": ["Today or later."]},
        )
    if customer is None or not customer.is_active:
        raise ApplicationError(
            "The customer must be an active user of this site.",
            code=ErrorCode.INVALID_CUSTOMER,
            details={"customer": ["Not an active user."]},
        )
    with transaction.atomic():
        invoice = Invoice.objects.create(
            number=_next_invoice_number(),
            customer=customer,
            currency=currency,
            total=total,
            due_date=due_date,
            note=note.strip(),
            issued_at=issued_at,
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        for line in checked:
            line.invoice = invoice
        InvoiceLine.objects.bulk_create(checked)
        audit_record(
            actor=created_by,
            verb="invoice.issued",
            target=invoice,
            changes={
                "customer": customer.pk,
                "total": str(total),
                "currency": currency,
                "due_date": due_date.isoformat(),
                "lines": len(checked),
            },
        )
        if send_email:
            _email_invoice_after_commit(invoice, reason="issued")
    return invoice


def invoice_cancel(*, invoice: Invoice, actor: Any, reason: str = "") -> Invoice:
    """Cancel ``invoice`` (finance roles); its pending payments are rejected with the reason.

    Raises ``ApplicationError``: ``permission_denied`` (403), ``invalid_status_transition`` (409,
    already cancelled), ``invoice_has_payments`` (409, payments were approved: refund them first).
    """
    _require_finance(actor)
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        if invoice.cancelled_at is not None:
            raise Conflict("This invoice is already cancelled.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        approved, _ = _sums(invoice)
        if approved > 0:
            raise Conflict(
                "An invoice with approved payments cannot be cancelled.",
                code=ErrorCode.INVOICE_HAS_PAYMENTS,
                details={"amount_paid": str(approved), "currency": invoice.currency},
            )
        _cancel_locked(invoice, actor=actor, reason=reason.strip())
    return invoice


def invoice_call_off(*, invoice: Invoice, reason: str, actor: Any = None) -> bool:
    """Cancel ``invoice`` because what it bills was called off (an enrolment withdrawn or cancelled).

    For other apps' services, on behalf of the system: no finance role is needed. An invoice with
    an approved payment is left as it is (the money must be refunded first): the finance users are
    notified (``invoice.refund_needed``) and ``False`` is returned. Already cancelled: ``True``.
    Call it inside the caller's transaction; it locks the invoice row.
    """
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        if invoice.cancelled_at is not None:
            return True
        approved, _ = _sums(invoice)
        if approved > 0:
            facts = {
                "invoice": invoice.pk,
                "number": invoice.number,
                "amount_paid": str(approved),
                "currency": invoice.currency,
                "reason": reason,
            }
            _notify_finance(verb="invoice.refund_needed", target=invoice, facts=facts)
            audit_record(actor=actor, verb="invoice.refund_needed", target=invoice, changes=facts)
            return False
        _cancel_locked(invoice, actor=actor, reason=reason)
    return True


def _cancel_locked(invoice: Invoice, *, actor: Any, reason: str) -> None:
    """Cancel the locked, unpaid ``invoice``: reject its pending payments, record and audit it."""
    now = timezone.now()
    rejection = f"Invoice cancelled. {reason}".strip()
    for pending in pending_payments_lock(invoice):
        _reject(pending, invoice, actor=actor, reason=rejection, now=now)
    before = invoice.status
    invoice.cancelled_at, invoice.cancel_reason = now, reason
    invoice.status = InvoiceStatus.CANCELLED
    invoice.save(update_fields=["cancelled_at", "cancel_reason", "status"])
    audit_record(
        actor=actor,
        verb="invoice.cancelled",
        target=invoice,
        changes={"status": [before, invoice.status], "reason": reason},
    )


def invoice_email_deliver(*, invoice: Invoice, reason: str) -> None:
    """Send ``invoice`` to its customer now, PDF attached (``reason``: ``"issued"`` or ``"paid"``).

    Called by the ``email_invoice_pdf`` task; raises on delivery failure so the task retries.
    """
    from tenant_apps.emails.services import Attachment, deliver_email, render_email
    from tenant_apps.payments.pdf import render_invoice_pdf

    if reason not in {"issued", "paid"}:
        raise ValueError(f"unknown invoice e-mail reason {reason!r}")
    customer = invoice.customer
    context = {
        "customer_name": customer.get_full_name() or customer.email,
        "number": invoice.number,
        "total": str(invoice.total),
        "currency": invoice.currency,
        "due_date": invoice.due_date.isoformat(),
    }
    text, html = render_email(f"payments/invoice_{reason}", context)
    subject = f"Invoice {invoice.number}" if reason == "issued" else f"Invoice {invoice.number} is paid"
    deliver_email(
        to=[customer.email],
        subject=subject,
        text=text,
        html=html,
        attachments=[Attachment(f"{invoice.number}.pdf", render_invoice_pdf(invoice), "application/pdf")],
    )
