"""Refunds: money given back on an approved payment, through Stripe for a card payment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from saas.db.tenant import current_schema, current_tenant_uuid
from saas.errors import Conflict, ErrorCode
from saas.money import check_amount, to_minor_units
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.locks import invoice_lock, payment_lock
from tenant_apps.payments.models import ZERO, Payment, PaymentMethod, PaymentStatus, Refund, RefundStatus
from tenant_apps.payments.services._common import impersonation_mark, impersonation_metadata


def refunded_amount(payment: Payment) -> Decimal:
    """What has been given back on ``payment`` so far (refunds that have not failed), 2 places."""
    total = payment.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def invoice_refunded_amount(invoice_id: int) -> Decimal:
    """What the approved payments of invoice ``invoice_id`` have given back so far (refunds that
    have not failed), ``Decimal`` 2 places in the invoice's currency. One query."""
    total = (
        Refund.objects.filter(payment__invoice_id=invoice_id, payment__status=PaymentStatus.APPROVED)
        .exclude(status=RefundStatus.FAILED)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total if total is not None else ZERO


def _credit_wallet(payment: Payment, refund: Refund, *, invoice_number: str, actor: Any) -> None:
    """Give a ``wallet`` payment's ``refund`` back to its payer's wallet, from the site (ledger kind
    ``refund``, reference ``payment:<id>:refund:<refund id>``); the wallet is locked after the invoice
    and the payment, as ``payment_wallet_pay`` locks it after the invoice."""
    from tenant_apps.wallet.services import wallet_open, wallet_refund

    wallet_refund(
        payer=wallet_open(user=payment.payer),
        amount=refund.amount,
        actor=actor,
        reference=f"payment:{payment.pk}:refund:{refund.pk}",
        memo=f"Invoice {invoice_number}: refund",
    )


def payment_refund(*, payment: Payment, amount: Decimal | str, reason: str = "", actor: Any = None) -> Refund:
    """Give ``amount`` (``Decimal`` in the invoice's currency) of the approved ``payment`` back.

    Locks the invoice, then the payment (``locks.py``), checks that the refunds would not add up to
    more than the payment, and records a ``Refund``. A card payment is refunded through Stripe
    inside the transaction (idempotency key ``<schema>:refund:<id>``), on the connected Stripe
    account it was charged on (``Payment.stripe_account_id``), so a refused or failed call
    leaves nothing behind; its status is Stripe's. An offline payment's refund is recorded as done
    (the site pays the bank transfer back). A wallet payment's refund is credited to the payer's
    wallet in the same transaction (``wallet_refund`` from the site, after the payment's lock).
    Audited (``payment.refunded``); the payer is notified. The caller decides who may refund and
    how much (a cancelled booking's policy, say).

    Raises ``ApplicationError``: ``invalid_amount`` (400), ``payment_not_refundable`` (409, the
    payment is not approved), ``refund_exceeds_payment`` (409), and Stripe's errors
    (``payments_unavailable`` 503, ``payment_provider_error`` 502, ``payment_provider_rejected`` 400).
    """
    with transaction.atomic():
        invoice = invoice_lock(payment.invoice_id)
        payment = payment_lock(payment.pk)
        value = check_amount(amount, invoice.currency)
        if payment.status != PaymentStatus.APPROVED:
            raise Conflict("Only an approved payment can be refunded.", code=ErrorCode.PAYMENT_NOT_REFUNDABLE)
        already = refunded_amount(payment)
        if already + value > payment.amount:
            raise Conflict(
                f"At most {payment.amount - already} {invoice.currency} of this payment can still be refunded.",
                code=ErrorCode.REFUND_EXCEEDS_PAYMENT,
                details={"refundable": str(payment.amount - already)},
            )
        refund = Refund.objects.create(
            payment=payment, amount=value, reason=reason[:2000], created_by=actor, impersonated_by=impersonation_mark()
        )
        if payment.method == PaymentMethod.STRIPE and payment.stripe_payment_intent_id:
            schema = current_schema()
            stripe_refund = stripe_gateway.refund_create(
                payment_intent=payment.stripe_payment_intent_id,
                amount_minor=to_minor_units(value, invoice.currency),
                metadata={
                    "tenant": schema,
                    "tenant_uuid": current_tenant_uuid(),
                    "payment": str(payment.pk),
                    "refund": str(refund.pk),
                    "invoice_number": invoice.number,
                    **impersonation_metadata(),
                },
                idempotency_key=f"{schema}:refund:{refund.pk}",
                stripe_account=payment.stripe_account_id or None,
            )
            refund.stripe_refund_id = stripe_refund.id
            refund.status = (
                stripe_refund.status if stripe_refund.status in RefundStatus.values else RefundStatus.PENDING
            )
        else:
            if payment.method == PaymentMethod.WALLET:
                _credit_wallet(payment, refund, invoice_number=invoice.number, actor=actor)
            refund.status = RefundStatus.SUCCEEDED
        refund.save(update_fields=["stripe_refund_id", "status"])
        facts = {
            "payment": payment.pk,
            "invoice": invoice.pk,
            "invoice_number": invoice.number,
            "amount": str(value),
            "currency": invoice.currency,
            "method": payment.method,
            "status": refund.status,
            "reason": reason[:200],
        }
        audit_record(actor=actor, verb="payment.refunded", target=refund, changes=facts)
        notify(recipient=payment.payer, verb="payment.refunded", target=refund, extra_data=facts)
    return refund
