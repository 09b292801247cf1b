"""What the invoice, offline and card payment services share: row locks (invoice, then payment),
the sums and status of an invoice, the finance checks, decisions on a payment, notifications."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from saas.db.tenant import enqueue_on_commit
from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.context import impersonator
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments.access import finance_roles, user_is_finance
from tenant_apps.payments.models import (
    ZERO,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
)
from tenant_apps.payments.signals import invoice_paid

logger = logging.getLogger(__name__)


INVOICE_NUMBER_KEY = "invoice"


def impersonation_mark() -> str:
    """The e-mail of the platform staff member acting through an impersonation token in this
    request (``tenant_apps.audit.context.impersonator``), or ``""``: what ``Payment.impersonated_by``
    and ``Refund.impersonated_by`` store, and what a Stripe object's ``impersonated_by`` metadata
    carries, so money moved while impersonating is told apart (issue 17, point 2)."""
    acting_for = impersonator()
    return str(acting_for["email"]) if acting_for else ""


def impersonation_metadata() -> dict[str, str]:
    """``{"impersonated_by": <staff e-mail>}`` for a Stripe object's metadata during impersonation,
    else ``{}``."""
    mark = impersonation_mark()
    return {"impersonated_by": mark} if mark else {}


def _require_finance(actor: Any) -> None:
    if not user_is_finance(actor):
        raise PermissionDenied("Your role does not allow this action.")


def _refuse_own_payment(payment: Payment, actor: Any) -> None:
    """Four eyes: nobody decides on a payment they made themselves (a finance user paying an
    invoice of theirs needs a colleague to approve or reject it)."""
    if payment.payer_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            "You cannot approve or reject a payment you submitted yourself.",
            code=ErrorCode.SELF_APPROVAL_FORBIDDEN,
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
        raise Conflict("This invoice is cancelled.", code=ErrorCode.INVOICE_CANCELLED)


def _refuse_overpayment(invoice: Invoice, amount: Decimal, open_amount: Decimal) -> None:
    if amount > open_amount or open_amount <= 0:
        raise Conflict(
            f"The payment exceeds what is left to pay on invoice {invoice.number} "
            f"({open_amount} {invoice.currency}, counting payments awaiting a decision).",
            code=ErrorCode.OVERPAYMENT,
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
    from tenant_apps.accounts.selectors import users_with_roles

    for role in finance_roles():
        users = users_with_roles(role, exclude=exclude)
        if users.exists():
            for user in users:
                notify(recipient=user, verb=verb, target=target, extra_data=facts)
            return


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
