"""Paying an invoice from the payer's site wallet: one ledger movement and one approved payment.

The wallet is debited (``wallet.services.wallet_payment``, ledger ``reference`` given by the
caller) and a ``wallet`` payment of the same amount is recorded **approved** on the invoice in one
transaction, so the invoice settles (``invoice_paid`` is sent when it becomes paid) exactly when
the money left the wallet. Locks: the invoice, then the wallet (inside the wallet service).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode
from tenant_apps.payments.locks import invoice_lock
from tenant_apps.payments.models import Invoice, Payment, PaymentMethod, PaymentStatus
from tenant_apps.payments.services._common import (
    _approve,
    _check_payable,
    _open_amount,
    _refuse_overpayment,
    impersonation_mark,
)


def payment_wallet_pay(*, invoice: Invoice, payer: Any, reference: str, memo: str = "") -> Payment:
    """Pay all that is open on ``invoice`` from ``payer``'s wallet (opened if need be).

    ``reference``: the ledger reference of the debit (unique per wallet movement kind, e.g.
    ``order:<id>:payment``). Returns the approved ``Payment`` (method ``wallet``). The caller
    decides who may pay the invoice.

    Raises ``Conflict`` 409 ``invoice_cancelled``, ``overpayment`` (nothing left to pay, counting
    pending card payments), ``currency_mismatch`` (the wallet holds another currency);
    ``ApplicationError`` **402** ``insufficient_funds`` (``details``: ``required``, ``available``,
    ``currency``), and the wallet's other refusals (409 ``duplicate_reference``...).
    """
    from tenant_apps.wallet.models import Wallet
    from tenant_apps.wallet.services import wallet_open, wallet_payment

    wallet = wallet_open(user=payer)
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        _check_payable(invoice)
        amount = _open_amount(invoice)
        _refuse_overpayment(invoice, amount, amount)
        if wallet.currency != invoice.currency:
            raise Conflict(
                f"Your wallet holds {wallet.currency}; this invoice is in {invoice.currency}.",
                code=ErrorCode.CURRENCY_MISMATCH,
                details={"wallet_currency": wallet.currency, "currency": invoice.currency},
            )
        try:
            wallet_payment(
                wallet=wallet, amount=amount, actor=payer, reference=reference, memo=memo or f"Invoice {invoice.number}"
            )
        except ApplicationError as exc:
            if exc.code != ErrorCode.INSUFFICIENT_FUNDS:
                raise
            available = Wallet.objects.filter(pk=wallet.pk).values_list("balance", flat=True).first()
            raise ApplicationError(
                "Your wallet holds too little for this payment: top it up first.",
                code=ErrorCode.INSUFFICIENT_FUNDS,
                status_code=402,
                details={"required": str(amount), "available": str(available), "currency": invoice.currency},
            ) from None
        payment = Payment.objects.create(
            invoice=invoice,
            payer=payer,
            amount=amount,
            method=PaymentMethod.WALLET,
            status=PaymentStatus.PENDING,
            impersonated_by=impersonation_mark(),
        )
        _approve(payment, invoice, actor=payer, now=timezone.now(), via="wallet")
    return payment
