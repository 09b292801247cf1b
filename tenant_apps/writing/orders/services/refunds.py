"""Refunds of writing orders by an admin's decision.

``order_refund`` gives part or all of what a ``cancelled`` or ``disputed`` order's invoice was paid
(by card or from the wallet alike) back to the client's wallet: one ``OrderRefund`` row and one
ledger row (``wallet.services.wallet_refund``, the site's money: no other wallet is debited;
reference ``order:<id>:refund:<refund id>``, so one refund never credits twice). The
rule "the order's refunds never add up to more than was paid" is checked under the order's lock
(its invoice, then the order: ``locks.order_with_invoice_lock``), so two admins refunding at
once queue up and the second sees the first's refund; the client's wallet is locked last.

Cancelling a paid order (``placement.order_cancel``) moves no money by itself: the refund is this
separate decision. An order refunded while disputed and then resolved ``completed`` earns its
writer on what the client kept (``work.complete_order``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.models import Refund, RefundStatus
from tenant_apps.writing.orders.access import is_order_admin
from tenant_apps.writing.orders.locks import order_with_invoice_lock
from tenant_apps.writing.orders.models import Order, OrderRefund, OrderStatus
from tenant_apps.writing.orders.services._common import notify_order
from tenant_apps.writing.orders.signals import order_refunded

ZERO = Decimal("0.00")
#: The longest refund reason, in characters.
MAX_REFUND_REASON = 2000
#: The statuses in which an order may be refunded.
REFUNDABLE_STATUSES = (OrderStatus.CANCELLED, OrderStatus.DISPUTED)


def refunded_total(order: Order) -> Decimal:
    """What the order's refunds (``OrderRefund``) add up to, 2 places."""
    total = OrderRefund.objects.filter(order=order).aggregate(total=Sum("amount"))["total"]
    return total if total is not None else ZERO


def refundable_amount(order: Order) -> Decimal:
    """What may still be refunded on ``order``: what its invoice was paid, less the refunds of its
    payments made through the payments app (not failed) and the order's own refunds; never
    below zero. Read it under the order's lock to act on it."""
    invoice = order.invoice
    if invoice is None:
        return ZERO
    card_refunds = Refund.objects.filter(payment__invoice=invoice).exclude(status=RefundStatus.FAILED)
    given_back = card_refunds.aggregate(total=Sum("amount"))["total"] or ZERO
    return max(invoice.amount_paid - given_back - refunded_total(order), ZERO)


def order_refund(*, order: Order, actor: Any, amount: Decimal | str, reason: str) -> OrderRefund:
    """Admin ``actor`` refunds ``amount`` (the order's currency, ``check_amount``) of the paid,
    ``cancelled`` or ``disputed`` ``order`` to its client's wallet, saying why (``reason``,
    required, at most 2000 characters). Returns the ``OrderRefund``. Audited
    (``writing_order.refunded``, with the amount and what the refunds now add up to); the client
    is notified and e-mailed (``writing_order.refunded``, the reason in the body).

    Raises ``PermissionDenied`` (403: not an admin), ``ApplicationError`` 400 ``validation_error``
    (``details.reason``) and ``invalid_amount``; ``Conflict`` 409 ``payment_not_refundable`` (the
    order is not cancelled or disputed, ``details.status``; or nothing was paid),
    ``refund_exceeds_payment`` (``details.refundable``: what may still be refunded),
    ``currency_mismatch`` (the client's wallet holds another currency).
    """
    from tenant_apps.wallet.services import wallet_open, wallet_refund

    if not is_order_admin(actor):
        raise PermissionDenied("Only admins refund orders.")
    text = (reason or "").strip()
    if not text or len(text) > MAX_REFUND_REASON:
        raise ApplicationError(
            "Say why the order is refunded.", details={"reason": [f"1 to {MAX_REFUND_REASON} characters."]}
        )
    with transaction.atomic():
        locked = order_with_invoice_lock(order.pk)
        value = check_amount(amount, locked.currency)
        if locked.status not in REFUNDABLE_STATUSES:
            raise Conflict(
                f"This order is {locked.status}: only a cancelled or disputed order is refunded.",
                code=ErrorCode.PAYMENT_NOT_REFUNDABLE,
                details={"status": locked.status},
            )
        if locked.invoice is None or locked.invoice.amount_paid <= 0:
            raise Conflict("Nothing was paid for this order.", code=ErrorCode.PAYMENT_NOT_REFUNDABLE)
        refundable = refundable_amount(locked)
        if value > refundable:
            raise Conflict(
                f"At most {refundable} {locked.currency} of this order can still be refunded.",
                code=ErrorCode.REFUND_EXCEEDS_PAYMENT,
                details={"refundable": str(refundable)},
            )
        wallet = wallet_open(user=locked.client)
        if wallet.currency != locked.currency:
            raise Conflict(
                f"The client's wallet holds {wallet.currency}; the order was paid in {locked.currency}.",
                code=ErrorCode.CURRENCY_MISMATCH,
            )
        refund = OrderRefund.objects.create(
            order=locked, amount=value, currency=locked.currency, reason=text, created_by=actor
        )
        refund.ledger_entry, _ = wallet_refund(
            payer=wallet,
            amount=value,
            actor=actor,
            reference=f"order:{locked.pk}:refund:{refund.pk}",
            memo=f"Order {locked.number}: refund",
        )
        refund.save(update_fields=["ledger_entry"])
        audit_record(
            actor=actor,
            verb="writing_order.refunded",
            target=locked,
            changes={
                "refund": refund.pk,
                "amount": str(value),
                "currency": locked.currency,
                "reason": text,
                "refunded": str(refunded_total(locked)),
            },
        )
        notify_order(locked, recipient=locked.client, verb="writing_order.refunded", body=text, amount=str(value))
        order_refunded.send(sender=Order, order=locked, refund=refund, actor=actor)
    return refund
