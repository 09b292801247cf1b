"""A client's card top-up of their wallet: an invoice and a Stripe PaymentIntent, then, when
Stripe's webhook reports the payment (``invoice_paid``), one credit of the wallet.

Locks: creating a top-up creates its invoice (the invoice counter); crediting runs in the
payment's transaction with the invoice locked, then locks the top-up, then the wallet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import invoice_create, payment_stripe_start
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.pricing.services import pricing_currency
from tenant_apps.writing.wallets.access import can_top_up
from tenant_apps.writing.wallets.locks import top_up_lock
from tenant_apps.writing.wallets.models import TopUpStatus, WalletTopUp
from tenant_apps.writing.wallets.services._common import logger, notify_of, top_up_limits


def top_up_facts(top_up: WalletTopUp) -> dict[str, Any]:
    """What a notification or audit row says about ``top_up``."""
    return {
        "top_up": top_up.pk,
        "amount": str(top_up.amount),
        "currency": top_up.currency,
        "status": top_up.status,
        "invoice": top_up.invoice_id,
    }


@dataclass(frozen=True)
class TopUpCheckout:
    """A started card top-up: confirm ``client_secret`` with Stripe.js."""

    top_up: WalletTopUp
    payment: Payment
    client_secret: str


def top_up_start(*, client: Any, amount: Decimal | int | str) -> TopUpCheckout:
    """Start a card top-up of ``client``'s wallet by ``amount`` in the site's pricing currency
    (``pricing_currency()``): an invoice issued to the client (one line "Wallet top-up", due today,
    not e-mailed: the paid invoice is, with its PDF, by the payments app), the ``WalletTopUp``
    (``pending``) and a Stripe PaymentIntent for the whole amount (``payment_stripe_start``), all
    in one transaction: when Stripe refuses or is off, nothing is left behind. The wallet is
    credited when the webhook reports the payment (``top_up_credit``).

    Raises ``PermissionDenied`` (403: not a client); ``ApplicationError`` 400 ``invalid_amount``
    (not exact in the currency, or outside ``top_up_limits()``: ``details.amount``); ``Conflict``
    409 ``currency_mismatch`` (the wallet holds another currency than the prices); what
    ``payment_stripe_start`` raises (503 ``payments_unavailable``, 502, 400).
    """
    if not can_top_up(client):
        raise PermissionDenied("Only clients top up their wallet by card.")
    currency = pricing_currency()
    value = check_amount(amount, currency)
    low, high = top_up_limits()
    if not low <= value <= high:
        raise ApplicationError(
            f"A top-up is from {low} to {high} {currency}.",
            code=ErrorCode.INVALID_AMOUNT,
            details={"amount": [f"From {low} to {high}."]},
        )
    wallet_currency = wallet_of(user=client).currency
    if wallet_currency != currency:
        raise Conflict(
            f"Your wallet holds {wallet_currency}; the site's prices are in {currency}.",
            code=ErrorCode.CURRENCY_MISMATCH,
            details={"wallet_currency": wallet_currency, "currency": currency},
        )
    with transaction.atomic():
        invoice = invoice_create(
            customer=client,
            currency=currency,
            due_date=timezone.localdate(),
            lines=[{"description": "Wallet top-up", "quantity": 1, "unit_price": value}],
            note="Wallet top-up",
            send_email=False,
        )
        top_up = WalletTopUp.objects.create(client=client, amount=value, currency=currency, invoice=invoice)
        audit_record(actor=client, verb="writing_top_up.started", target=top_up, changes=top_up_facts(top_up))
        checkout = payment_stripe_start(invoice=invoice, payer=client)
    return TopUpCheckout(top_up=top_up, payment=checkout.payment, client_secret=checkout.client_secret)


def top_up_credit(*, invoice: Invoice) -> WalletTopUp | None:
    """``invoice_paid``: credit the client's wallet with the top-up ``invoice`` bills (``top_up``,
    ledger reference ``writing_top_up:<id>``, so once only), mark it ``credited`` and notify the
    client (``writing_top_up.credited``). Runs in the payment's transaction, the invoice locked.

    ``None`` for an invoice that bills no top-up; a top-up already credited is left as it is. A
    wallet in another currency than the top-up (the site's currency changed meanwhile) is not
    credited: the payment stands, the mismatch is logged and audited
    (``writing_top_up.currency_mismatch``) for an admin to settle.
    """
    found = WalletTopUp.objects.filter(invoice_id=invoice.pk).values_list("pk", flat=True).first()
    if found is None:
        return None
    with transaction.atomic():
        top_up = top_up_lock(found)
        if top_up.status != TopUpStatus.PENDING:
            return top_up
        wallet = wallet_open(user=top_up.client)
        if wallet.currency != top_up.currency:
            logger.error("top-up %s in %s cannot credit a %s wallet", top_up.pk, top_up.currency, wallet.currency)
            audit_record(
                actor=None,
                verb="writing_top_up.currency_mismatch",
                target=top_up,
                changes={**top_up_facts(top_up), "wallet_currency": wallet.currency},
            )
            return top_up
        wallet_top_up(
            wallet=wallet,
            amount=top_up.amount,
            reference=f"writing_top_up:{top_up.pk}",
            memo=f"Card top-up, invoice {invoice.number}",
        )
        top_up.status = TopUpStatus.CREDITED
        top_up.credited_at = timezone.now()
        top_up.save(update_fields=["status", "credited_at", "updated_at"])
        facts = top_up_facts(top_up)
        audit_record(actor=None, verb="writing_top_up.credited", target=top_up, changes=facts)
        notify_of(top_up, recipient=top_up.client, verb="writing_top_up.credited", facts=facts)
    return top_up
