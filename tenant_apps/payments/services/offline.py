"""Offline payments (bank transfer with a receipt): submitted by the payer, decided by a finance user."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.api.errors import ApplicationError
from saas.errors import Conflict, ErrorCode
from saas.money import (
    check_amount,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.files.models import StoredFile
from tenant_apps.payments.locks import invoice_lock, payment_lock
from tenant_apps.payments.models import (
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
)
from tenant_apps.payments.services._common import (
    _approve,
    _check_payable,
    _notify_approvers,
    _open_amount,
    _payment_facts,
    _refuse_overpayment,
    _refuse_own_payment,
    _reject,
    _require_finance,
    impersonation_mark,
)

logger = logging.getLogger(__name__)


#: Receipts must be documents or photos.
RECEIPT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


def payment_offline_submit(
    *,
    invoice: Invoice,
    payer: Any,
    amount: Decimal | str,
    tracking_code: str,
    receipt: StoredFile,
) -> Payment:
    """Record a bank transfer of ``amount`` (invoice currency) towards ``invoice``, pending approval.

    ``receipt``: a PDF or image the payer uploaded (``POST /api/v1/files/``), used by no other
    payment. ``tracking_code``: the bank's reference, claimed by no other live payment. The finance
    users are notified.

    Raises ``ApplicationError``: ``invalid_amount``, ``invalid_receipt``, ``validation_error`` (400);
    ``invoice_cancelled``, ``overpayment``, ``receipt_in_use``, ``duplicate_tracking_code`` (409).
    """
    tracking_code = (tracking_code or "").strip()
    if not tracking_code or len(tracking_code) > 64:
        raise ApplicationError(
            "Give the bank's tracking code (at most 64 characters).",
            code=ErrorCode.VALIDATION_ERROR,
            details={"tracking_code": ["1 to 64 characters."]},
        )
    if receipt.uploaded_by_id != payer.pk or receipt.content_type not in RECEIPT_TYPES:
        raise ApplicationError(
            "The receipt must be a PDF or image file you uploaded.",
            code=ErrorCode.INVALID_RECEIPT,
            details={"receipt": ["Upload the receipt (PDF or image) yourself first."]},
        )
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        _check_payable(invoice)
        amount = check_amount(amount, invoice.currency)
        _refuse_overpayment(invoice, amount, _open_amount(invoice))
        if Payment.objects.filter(receipt_id=receipt.pk).exists():
            raise Conflict("This receipt belongs to another payment.", code=ErrorCode.RECEIPT_IN_USE)
        live = Payment.objects.filter(method=PaymentMethod.OFFLINE, tracking_code=tracking_code).exclude(
            status=PaymentStatus.REJECTED
        )
        if live.exists():
            raise Conflict(
                "A payment with this tracking code is already recorded.",
                code=ErrorCode.DUPLICATE_TRACKING_CODE,
            )
        payment = Payment.objects.create(
            invoice=invoice,
            payer=payer,
            amount=amount,
            method=PaymentMethod.OFFLINE,
            tracking_code=tracking_code,
            receipt=receipt,
            impersonated_by=impersonation_mark(),
        )
        audit_record(
            actor=payer,
            verb="payment.submitted",
            target=payment,
            changes={**_payment_facts(payment, invoice), "tracking_code": tracking_code},
        )
        _notify_approvers(payment, invoice, verb="payment.submitted")
    return payment


def payment_approve(*, payment: Payment, actor: Any) -> Payment:
    """Approve a pending offline ``payment`` (finance roles); the invoice may become paid.

    The payer is notified; when the invoice becomes paid, its PDF is e-mailed after commit.
    Raises ``ApplicationError``: ``permission_denied`` (403), ``self_approval_forbidden`` (403,
    ``actor`` is the payer); ``invalid_status_transition`` (409: not pending, or a Stripe payment,
    which only Stripe's events approve).
    """
    _require_finance(actor)
    with transaction.atomic():
        invoice = invoice_lock(payment.invoice_id)
        payment = payment_lock(payment.pk)
        _refuse_own_payment(payment, actor)
        if payment.method != PaymentMethod.OFFLINE:
            raise Conflict(
                "Card payments are approved by Stripe, not by hand.", code=ErrorCode.INVALID_STATUS_TRANSITION
            )
        if payment.status != PaymentStatus.PENDING:
            raise Conflict(f"This payment is already {payment.status}.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        _approve(payment, invoice, actor=actor, now=timezone.now(), via="offline")
    return payment


def payment_reject(*, payment: Payment, actor: Any, reason: str) -> Payment:
    """Reject a pending ``payment`` (finance roles) with ``reason``, shown to the payer.

    Rejecting a pending Stripe payment (an abandoned checkout holding back the rest of the invoice)
    releases its amount; should Stripe still report it paid later, it is approved if the invoice
    has room, else recorded as ``refund_required`` (see ``stripe_event_process``).
    Raises ``ApplicationError``: ``validation_error`` (400, no reason), ``permission_denied`` (403),
    ``self_approval_forbidden`` (403, ``actor`` is the payer), ``invalid_status_transition`` (409,
    not pending).
    """
    _require_finance(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for the rejection.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"reason": ["This field is required."]},
        )
    with transaction.atomic():
        invoice = invoice_lock(payment.invoice_id)
        payment = payment_lock(payment.pk)
        _refuse_own_payment(payment, actor)
        if payment.status != PaymentStatus.PENDING:
            raise Conflict(f"This payment is already {payment.status}.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        _reject(payment, invoice, actor=actor, reason=reason, now=timezone.now())
    return payment
