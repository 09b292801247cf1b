"""Writes on invoices and payments, in the current tenant's schema.

Rules (issue "Payments and invoices"; seeds 000 — invoices, partial and offline payments, approval
by a financial role — and 003 — Stripe payments, PDF invoices e-mailed):

* An invoice is issued when created, numbered ``INV-000001``, ``INV-000002``, ... per tenant without
  gaps, and e-mailed to its customer with its PDF; it is e-mailed again when it becomes paid.
* Payments are **pending** until decided. Pending and approved payments together never exceed the
  invoice total: a payment that would is refused with ``overpayment`` (409). Offline payments are
  decided by a finance user (``access.finance_roles``); Stripe payments by Stripe's events.
* The invoice's ``amount_paid`` and ``status`` are recomputed from its approved payments in the
  transaction of every change (``_invoice_settle``).

Locking: every write that reads or changes an invoice's payments first locks the invoice row
(``select_for_update``), then the payment row: always in that order, so two writers on one invoice
queue up instead of both passing the overpayment check or deadlocking.

Every function is atomic and calls ``audit_record`` for each state change inside its transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from saas.api.errors import ApplicationError
from saas.db.tenant import current_schema, current_tenant_uuid, enqueue_on_commit
from tenant_apps.audit.services import audit_record
from tenant_apps.files.models import StoredFile
from tenant_apps.notifications.services import notify
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.access import finance_roles, user_is_finance
from tenant_apps.payments.models import (
    ZERO,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)
from tenant_apps.payments.money import (
    MAX_AMOUNT,
    check_amount,
    normalize_currency,
    quantum,
    round_money,
    to_minor_units,
)
from tenant_apps.payments.signals import invoice_paid

logger = logging.getLogger(__name__)

INVOICE_NUMBER_KEY = "invoice"
MAX_LINES = 100
MAX_QUANTITY = Decimal("99999999.99")
#: Receipts must be documents or photos.
RECEIPT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


class LineItem(TypedDict):
    """One invoice line as callers pass it: ``quantity`` x ``unit_price`` (major units, e.g. ``"12.50"``)."""

    description: str
    quantity: Decimal | int | str
    unit_price: Decimal | int | str


# ---------------------------------------------------------------------------------------------
# Helpers: locks, sums, derived status, e-mail after commit
# ---------------------------------------------------------------------------------------------


def _lock_invoice(pk: int) -> Invoice:
    """The invoice row, locked until the transaction ends (call inside ``transaction.atomic``)."""
    return Invoice.objects.select_for_update(of=("self",)).select_related("customer").get(pk=pk)


def _lock_payment(pk: int) -> Payment:
    """The payment row, locked; lock its invoice first (``_lock_invoice``)."""
    return Payment.objects.select_for_update(of=("self",)).select_related("payer").get(pk=pk)


def _require_finance(actor: Any) -> None:
    if not user_is_finance(actor):
        raise ApplicationError("Your role does not allow this action.", code="permission_denied", status_code=403)


def _refuse_own_payment(payment: Payment, actor: Any) -> None:
    """Four eyes: nobody decides on a payment they made themselves (a finance user paying an
    invoice of theirs needs a colleague to approve or reject it)."""
    if payment.payer_id == getattr(actor, "pk", None):
        raise ApplicationError(
            "You cannot approve or reject a payment you submitted yourself.",
            code="self_approval_forbidden",
            status_code=403,
        )


def _sums(invoice: Invoice) -> tuple[Decimal, Decimal]:
    """``(approved, pending)`` totals of ``invoice``'s payments, read now."""
    sums = Payment.objects.filter(invoice_id=invoice.pk).aggregate(
        approved=Sum("amount", filter=Q(status=PaymentStatus.APPROVED)),
        pending=Sum("amount", filter=Q(status=PaymentStatus.PENDING)),
    )
    return sums["approved"] or ZERO, sums["pending"] or ZERO


def _open_amount(invoice: Invoice) -> Decimal:
    """Total - approved - pending of a locked invoice."""
    approved, pending = _sums(invoice)
    return max(invoice.total - approved - pending, ZERO)


def _check_payable(invoice: Invoice) -> None:
    if invoice.cancelled_at is not None:
        raise ApplicationError("This invoice is cancelled.", code="invoice_cancelled", status_code=409)


def _refuse_overpayment(invoice: Invoice, amount: Decimal, open_amount: Decimal) -> None:
    if amount > open_amount or open_amount <= 0:
        raise ApplicationError(
            f"The payment exceeds what is left to pay on invoice {invoice.number} "
            f"({open_amount} {invoice.currency}, counting payments awaiting a decision).",
            code="overpayment",
            status_code=409,
            details={"open_amount": str(open_amount), "amount": str(amount), "currency": invoice.currency},
        )


def _derived_status(invoice: Invoice, paid: Decimal) -> str:
    if invoice.cancelled_at is not None:
        return InvoiceStatus.CANCELLED
    if paid >= invoice.total:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIALLY_PAID if paid > 0 else InvoiceStatus.UNPAID


def _invoice_settle(invoice: Invoice, *, actor: Any) -> None:
    """Recompute ``amount_paid`` and ``status`` of the locked ``invoice`` from its approved payments.

    On the change to ``paid``: stamps ``paid_at``, sends ``invoice_paid`` and e-mails the paid
    invoice after commit.
    """
    approved, _ = _sums(invoice)
    before = invoice.status
    invoice.amount_paid = approved
    invoice.status = _derived_status(invoice, approved)
    fields = ["amount_paid", "status"]
    became_paid = invoice.status == InvoiceStatus.PAID and before != InvoiceStatus.PAID
    if became_paid:
        invoice.paid_at = timezone.now()
        fields.append("paid_at")
    invoice.save(update_fields=fields)
    if invoice.status != before:
        audit_record(
            actor=actor,
            verb="invoice.status_changed",
            target=invoice,
            changes={"status": [before, invoice.status], "amount_paid": str(approved)},
        )
    if became_paid:
        invoice_paid.send(sender=Invoice, invoice=invoice)
        _email_invoice_after_commit(invoice, reason="paid")


def _email_invoice_after_commit(invoice: Invoice, *, reason: str) -> None:
    """Enqueue ``email_invoice_pdf`` once the transaction commits, in this tenant's schema."""
    from tenant_apps.payments.tasks import email_invoice_pdf

    enqueue_on_commit(email_invoice_pdf, invoice.pk, reason)


def _payment_facts(payment: Payment, invoice: Invoice) -> dict[str, Any]:
    return {
        "payment": payment.pk,
        "invoice": invoice.pk,
        "invoice_number": invoice.number,
        "amount": str(payment.amount),
        "currency": invoice.currency,
        "method": payment.method,
    }


def _notify_approvers(payment: Payment, invoice: Invoice, *, verb: str) -> None:
    """Tell the users of the first finance role that has any (financial, else admin) about ``payment``."""
    _notify_finance(verb=verb, target=payment, facts=_payment_facts(payment, invoice), exclude=payment.payer_id)


def _notify_finance(*, verb: str, target: Any, facts: dict[str, Any], exclude: int | None = None) -> None:
    """Notify the users of the first finance role that has any (financial, else admin)."""
    from tenant_apps.accounts.models import User

    for role in finance_roles():
        users = User.objects.filter(groups__name=role, is_active=True).distinct()
        if exclude is not None:
            users = users.exclude(pk=exclude)
        if users.exists():
            for user in users:
                notify(recipient=user, verb=verb, target=target, extra_data=facts)
            return


# ---------------------------------------------------------------------------------------------
# Invoices
# ---------------------------------------------------------------------------------------------


def _next_invoice_number() -> str:
    """``INV-<n>`` from the tenant's counter row, locked until commit: gapless and never repeated."""
    counter = InvoiceCounter.objects.select_for_update().filter(key=INVOICE_NUMBER_KEY).first()
    if counter is None:
        InvoiceCounter.objects.bulk_create([InvoiceCounter(key=INVOICE_NUMBER_KEY)], ignore_conflicts=True)
        counter = InvoiceCounter.objects.select_for_update().get(key=INVOICE_NUMBER_KEY)
    counter.value += 1
    counter.save(update_fields=["value"])
    return f"INV-{counter.value:06d}"


def _line_error(index: int, field: str, message: str) -> ApplicationError:
    return ApplicationError(
        f"Line {index + 1}: {message}", code="invalid_line", details={"lines": {str(index): {field: [message]}}}
    )


def _checked_lines(lines: Sequence[LineItem], currency: str) -> list[InvoiceLine]:
    if not 1 <= len(lines) <= MAX_LINES:
        raise ApplicationError(
            f"An invoice has from 1 to {MAX_LINES} lines.",
            code="invalid_line",
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
            code="invalid_amount",
            details={"total": [str(total)]},
        )
    issued_at = timezone.now()
    if due_date < timezone.localdate(issued_at):
        raise ApplicationError(
            "The due date cannot be in the past.", code="invalid_due_date", details={"due_date": ["Today or later."]}
        )
    if customer is None or not customer.is_active:
        raise ApplicationError(
            "The customer must be an active user of this site.",
            code="invalid_customer",
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
        invoice = _lock_invoice(invoice.pk)
        if invoice.cancelled_at is not None:
            raise ApplicationError(
                "This invoice is already cancelled.", code="invalid_status_transition", status_code=409
            )
        approved, _ = _sums(invoice)
        if approved > 0:
            raise ApplicationError(
                "An invoice with approved payments cannot be cancelled.",
                code="invoice_has_payments",
                status_code=409,
                details={"amount_paid": str(approved), "currency": invoice.currency},
            )
        _cancel_locked(invoice, actor=actor, reason=reason.strip())
    return invoice


def invoice_withdraw(*, invoice: Invoice, reason: str, actor: Any = None) -> bool:
    """Cancel ``invoice`` because what it bills was called off (an enrolment withdrawn or cancelled).

    For other apps' services, on behalf of the system: no finance role is needed. An invoice with
    an approved payment is left as it is (the money must be refunded first): the finance users are
    notified (``invoice.refund_needed``) and ``False`` is returned. Already cancelled: ``True``.
    Call it inside the caller's transaction; it locks the invoice row.
    """
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
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
    for pending in (
        Payment.objects.select_for_update(of=("self",))
        .select_related("payer")
        .filter(invoice=invoice, status=PaymentStatus.PENDING)
        .order_by("pk")
    ):
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


# ---------------------------------------------------------------------------------------------
# Offline payments and decisions
# ---------------------------------------------------------------------------------------------


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
            code="validation_error",
            details={"tracking_code": ["1 to 64 characters."]},
        )
    if receipt.uploaded_by_id != payer.pk or receipt.content_type not in RECEIPT_TYPES:
        raise ApplicationError(
            "The receipt must be a PDF or image file you uploaded.",
            code="invalid_receipt",
            details={"receipt": ["Upload the receipt (PDF or image) yourself first."]},
        )
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        _check_payable(invoice)
        amount = check_amount(amount, invoice.currency)
        _refuse_overpayment(invoice, amount, _open_amount(invoice))
        if Payment.objects.filter(receipt_id=receipt.pk).exists():
            raise ApplicationError("This receipt belongs to another payment.", code="receipt_in_use", status_code=409)
        live = Payment.objects.filter(method=PaymentMethod.OFFLINE, tracking_code=tracking_code).exclude(
            status=PaymentStatus.REJECTED
        )
        if live.exists():
            raise ApplicationError(
                "A payment with this tracking code is already recorded.",
                code="duplicate_tracking_code",
                status_code=409,
            )
        payment = Payment.objects.create(
            invoice=invoice,
            payer=payer,
            amount=amount,
            method=PaymentMethod.OFFLINE,
            tracking_code=tracking_code,
            receipt=receipt,
        )
        audit_record(
            actor=payer,
            verb="payment.submitted",
            target=payment,
            changes={**_payment_facts(payment, invoice), "tracking_code": tracking_code},
        )
        _notify_approvers(payment, invoice, verb="payment.submitted")
    return payment


def _approve(payment: Payment, invoice: Invoice, *, actor: Any, now: Any, via: str) -> None:
    before = payment.status
    payment.status, payment.reason = PaymentStatus.APPROVED, ""
    payment.decided_by, payment.decided_at = (actor if getattr(actor, "pk", None) else None), now
    payment.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="payment.approved",
        target=payment,
        changes={"status": [before, payment.status], "via": via, **_payment_facts(payment, invoice)},
    )
    _invoice_settle(invoice, actor=actor)
    notify(
        recipient=payment.payer,
        verb="payment.approved",
        target=payment,
        extra_data={**_payment_facts(payment, invoice), "invoice_status": invoice.status},
    )


def _reject(payment: Payment, invoice: Invoice, *, actor: Any, reason: str, now: Any) -> None:
    before = payment.status
    payment.status, payment.reason = PaymentStatus.REJECTED, reason
    payment.decided_by, payment.decided_at = (actor if getattr(actor, "pk", None) else None), now
    payment.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="payment.rejected",
        target=payment,
        changes={"status": [before, payment.status], "reason": reason, **_payment_facts(payment, invoice)},
    )
    notify(
        recipient=payment.payer,
        verb="payment.rejected",
        target=payment,
        extra_data={**_payment_facts(payment, invoice), "reason": reason},
    )


def payment_approve(*, payment: Payment, actor: Any) -> Payment:
    """Approve a pending offline ``payment`` (finance roles); the invoice may become paid.

    The payer is notified; when the invoice becomes paid, its PDF is e-mailed after commit.
    Raises ``ApplicationError``: ``permission_denied`` (403), ``self_approval_forbidden`` (403,
    ``actor`` is the payer); ``invalid_status_transition`` (409: not pending, or a Stripe payment,
    which only Stripe's events approve).
    """
    _require_finance(actor)
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = _lock_payment(payment.pk)
        _refuse_own_payment(payment, actor)
        if payment.method != PaymentMethod.OFFLINE:
            raise ApplicationError(
                "Card payments are approved by Stripe, not by hand.", code="invalid_status_transition", status_code=409
            )
        if payment.status != PaymentStatus.PENDING:
            raise ApplicationError(
                f"This payment is already {payment.status}.", code="invalid_status_transition", status_code=409
            )
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
            code="validation_error",
            details={"reason": ["This field is required."]},
        )
    with transaction.atomic():
        invoice = _lock_invoice(payment.invoice_id)
        payment = _lock_payment(payment.pk)
        _refuse_own_payment(payment, actor)
        if payment.status != PaymentStatus.PENDING:
            raise ApplicationError(
                f"This payment is already {payment.status}.", code="invalid_status_transition", status_code=409
            )
        _reject(payment, invoice, actor=actor, reason=reason, now=timezone.now())
    return payment


# ---------------------------------------------------------------------------------------------
# Stripe
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StripeCheckout:
    """A pending Stripe payment and the PaymentIntent's ``client_secret`` for Stripe.js."""

    payment: Payment
    client_secret: str
    created: bool


_REUSABLE_INTENT_STATES = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})


def payment_stripe_start(*, invoice: Invoice, payer: Any, amount: Decimal | str | None = None) -> StripeCheckout:
    """Start a card payment of ``amount`` (default: all that is open) on ``invoice``.

    Creates a pending ``Payment`` and a Stripe PaymentIntent (amount in Stripe's minor unit, lower
    case currency, metadata ``{tenant, tenant_uuid, invoice, payment, invoice_number}``) in one
    transaction that holds the invoice lock, so a failed Stripe call leaves nothing behind. A payer
    coming back with the same amount while their earlier intent is still unpaid gets that intent
    again (``created=False``).

    Raises ``ApplicationError``: ``payments_unavailable`` (503, no ``STRIPE_SECRET_KEY``),
    ``invalid_amount`` (400), ``invoice_cancelled`` / ``overpayment`` (409),
    ``payment_provider_error`` (502), ``payment_provider_rejected`` (400).
    """
    stripe_gateway.require_payments_enabled()  # 503 before anything when online payments are off
    with transaction.atomic():
        invoice = _lock_invoice(invoice.pk)
        _check_payable(invoice)
        wanted = None if amount is None else check_amount(amount, invoice.currency)
        earlier = Payment.objects.filter(
            invoice=invoice,
            payer_id=payer.pk,
            method=PaymentMethod.STRIPE,
            status=PaymentStatus.PENDING,
            stripe_payment_intent_id__isnull=False,
        ).order_by("-pk")
        for candidate in earlier:
            if wanted is None or candidate.amount == wanted:
                intent = stripe_gateway.payment_intent_retrieve(str(candidate.stripe_payment_intent_id))
                if intent.status in _REUSABLE_INTENT_STATES:
                    return StripeCheckout(payment=candidate, client_secret=intent.client_secret, created=False)
        open_amount = _open_amount(invoice)
        if wanted is None:
            wanted = open_amount
        _refuse_overpayment(invoice, wanted, open_amount)
        payment = Payment.objects.create(invoice=invoice, payer=payer, amount=wanted, method=PaymentMethod.STRIPE)
        schema = current_schema()
        intent = stripe_gateway.payment_intent_create(
            amount_minor=to_minor_units(wanted, invoice.currency),
            currency=invoice.currency.lower(),
            metadata={
                "tenant": schema,
                "tenant_uuid": current_tenant_uuid(),
                "invoice": str(invoice.pk),
                "payment": str(payment.pk),
                "invoice_number": invoice.number,
            },
            idempotency_key=f"{schema}:payment:{payment.pk}",
        )
        payment.stripe_payment_intent_id = intent.id
        payment.save(update_fields=["stripe_payment_intent_id"])
        audit_record(
            actor=payer,
            verb="payment.stripe_started",
            target=payment,
            changes={**_payment_facts(payment, invoice), "payment_intent": intent.id},
        )
    return StripeCheckout(payment=payment, client_secret=intent.client_secret, created=True)


@dataclass(frozen=True)
class WebhookResult:
    """What the webhook did: ``status`` is ``processed``, ``duplicate`` or ``ignored``."""

    status: str
    outcome: str = ""
    event_id: str = ""


_INTENT_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"})


def _event_is_for_this_tenant(metadata: Any) -> bool:
    if not isinstance(metadata, dict) or metadata.get("tenant") != current_schema():
        return False
    return metadata.get("tenant_uuid", current_tenant_uuid()) == current_tenant_uuid()


def stripe_event_process(*, payload: bytes, signature: str | None) -> WebhookResult:
    """Verify and apply one Stripe webhook delivery, exactly once per event id and tenant.

    * The signature is checked first (``stripe_gateway.webhook_event``): 400 ``invalid_signature``.
    * An event whose object's ``metadata.tenant`` is not this tenant is **ignored** (200, nothing
      written): with one Stripe account, every tenant's endpoint receives every event, and Stripe
      must not retry (or disable the endpoint) over events meant for a sibling. So is one whose
      ``metadata.tenant_uuid`` is not this tenant's ``Tenant.uuid``: a tenant dropped and
      provisioned again under the same slug never applies the old tenant's events. (Intents created
      before ``tenant_uuid`` was written carry only the slug, and are matched by it.)
    * The event id is inserted in ``StripeEvent`` in the transaction that applies it; a second
      delivery, even concurrent, finds the row (or waits for it and hits the unique index) and is a
      no-op (``duplicate``).
    * ``payment_intent.succeeded``: approves the pending payment (invoice may turn paid). The
      amount and currency must match the payment, else ``amount_mismatch``. A payment already
      rejected (failed earlier, cancelled, or rejected by hand) is approved again if the invoice
      still has room; otherwise ``refund_required`` is recorded, logged as an error and the
      finance users are notified.
    * ``payment_intent.payment_failed`` / ``.canceled``: rejects a pending payment with Stripe's
      message; a decided payment is left alone (``stale``: Stripe does not order its events).
    * Other types are recorded as ``ignored``.
    """
    event = stripe_gateway.webhook_event(payload=payload, signature=signature)
    obj = (event.get("data") or {}).get("object") or {}
    metadata = obj.get("metadata") or {}
    if not _event_is_for_this_tenant(metadata):
        return WebhookResult(status="ignored", outcome="other_tenant", event_id=event["id"])
    intent_id = str(obj.get("id") or "") if obj.get("object") == "payment_intent" else ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"], type=event["type"], payment_intent_id=intent_id, outcome="processing"
                )
        except IntegrityError:
            return WebhookResult(status="duplicate", event_id=event["id"])
        outcome, payment = "ignored", None
        if event["type"] in _INTENT_EVENTS and intent_id:
            outcome, payment = _apply_intent_event(event, obj, metadata)
        record.outcome, record.payment = outcome, payment
        record.save(update_fields=["outcome", "payment"])
    return WebhookResult(status="processed", outcome=outcome, event_id=event["id"])


def _apply_intent_event(
    event: dict[str, Any], obj: dict[str, Any], metadata: dict[str, Any]
) -> tuple[str, Payment | None]:
    found = Payment.objects.filter(stripe_payment_intent_id=obj["id"], method=PaymentMethod.STRIPE).first()
    if found is None:
        logger.warning("Stripe event %s names unknown PaymentIntent %s", event["id"], obj["id"])
        return "unknown_payment", None
    if str(metadata.get("payment")) != str(found.pk) or str(metadata.get("invoice")) != str(found.invoice_id):
        logger.error("Stripe event %s: metadata %s does not match payment %s", event["id"], metadata, found.pk)
        return "metadata_mismatch", found
    invoice = _lock_invoice(found.invoice_id)
    payment = _lock_payment(found.pk)
    now = timezone.now()
    facts = {**_payment_facts(payment, invoice), "event": event["id"], "payment_intent": obj["id"]}

    if event["type"] != "payment_intent.succeeded":
        if payment.status != PaymentStatus.PENDING:
            return "stale", payment
        error = obj.get("last_payment_error") or {}
        if event["type"] == "payment_intent.canceled":
            reason = "The card payment was cancelled."
        else:
            reason = f"The card payment failed: {error.get('message') or 'declined'}."
        _reject(payment, invoice, actor=None, reason=reason, now=now)
        return "rejected", payment

    received = obj.get("amount_received") or obj.get("amount")
    currency = str(obj.get("currency") or "").upper()
    if currency != invoice.currency or received != to_minor_units(payment.amount, invoice.currency):
        logger.error(
            "Stripe event %s: %s %s received for payment %s of %s %s",
            event["id"],
            received,
            currency,
            payment.pk,
            payment.amount,
            invoice.currency,
        )
        audit_record(
            actor=None,
            verb="payment.stripe_mismatch",
            target=payment,
            changes={**facts, "received": received, "received_currency": currency},
        )
        return "amount_mismatch", payment
    if payment.status == PaymentStatus.APPROVED:
        return "already_approved", payment
    if payment.status == PaymentStatus.REJECTED:
        room = ZERO if invoice.cancelled_at is not None else _open_amount(invoice)
        if payment.amount > room:
            logger.error(
                "Stripe charged %s %s for payment %s, which was rejected and no longer fits invoice %s; refund it",
                payment.amount,
                invoice.currency,
                payment.pk,
                invoice.number,
            )
            audit_record(actor=None, verb="payment.refund_required", target=payment, changes=facts)
            _notify_approvers(payment, invoice, verb="payment.refund_required")
            return "refund_required", payment
    _approve(payment, invoice, actor=None, now=now, via=f"stripe:{event['id']}")
    return "approved", payment
