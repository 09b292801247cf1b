"""Card top-ups of a customer's wallet, through the payments app's card payments.

The customer asks for an amount: an invoice of it is issued to them (one line "Wallet top-up")
with a ``WalletTopUp`` row naming it, and a Stripe PaymentIntent is started on the invoice
(``payments.services.payment_stripe_start``); Stripe.js confirms it with the ``client_secret``.
Stripe's ``payment_intent.succeeded`` reaches the shared webhook, which approves the payment
(once per event) and sends ``invoice_paid``; ``wallet_top_up_credit`` (connected in ``apps.py``)
then credits the wallet once, reference ``wallet-top-up:<id>``, in the payment's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.errors import PermissionDenied
from saas.money import check_amount
from tenant_apps.audit.services import audit_record
from tenant_apps.notifications.services import notify
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.models import Invoice
from tenant_apps.payments.services import invoice_create, payment_stripe_start
from tenant_apps.store.orders.access import can_buy
from tenant_apps.store.orders.models import WalletTopUp
from tenant_apps.wallet.services import wallet_open, wallet_top_up


@dataclass(frozen=True)
class TopUpCheckout:
    """A started card top-up and the PaymentIntent's ``client_secret`` for Stripe.js."""

    top_up: WalletTopUp
    payment_intent_id: str
    client_secret: str


def wallet_top_up_card_start(*, user: Any, amount: Decimal | str) -> TopUpCheckout:
    """Start a card top-up of ``amount`` (the site's ``DEFAULT_CURRENCY``) of ``user``'s wallet.

    Raises ``permission_denied`` (403: not a customer), ``invalid_amount`` (400),
    ``payments_unavailable`` (503: Stripe not configured), ``payment_provider_error`` (502),
    ``payment_provider_rejected`` (400). A failed Stripe call leaves nothing behind.
    """
    if not can_buy(user):
        raise PermissionDenied("Only customers top up their wallet by card here.")
    stripe_gateway.require_payments_enabled()
    currency = settings.DEFAULT_CURRENCY
    value = check_amount(amount, currency)
    with transaction.atomic():
        invoice = invoice_create(
            customer=user,
            currency=currency,
            created_by=None,
            send_email=False,
            due_date=timezone.localdate(),
            lines=[{"description": "Wallet top-up", "quantity": 1, "unit_price": value}],
            note="Wallet top-up by card",
        )
        top_up = WalletTopUp.objects.create(user=user, invoice=invoice, amount=value, currency=currency)
        checkout = payment_stripe_start(invoice=invoice, payer=user, amount=value)
        audit_record(actor=user, verb="wallet.card_top_up_started", target=top_up, changes={"amount": str(value)})
    return TopUpCheckout(
        top_up=top_up,
        payment_intent_id=str(checkout.payment.stripe_payment_intent_id),
        client_secret=checkout.client_secret,
    )


def wallet_top_up_credit(*, invoice: Invoice) -> WalletTopUp | None:
    """``invoice_paid``: credit the wallet of the top-up ``invoice`` bills (once: the top-up row is
    locked after the invoice, and the ledger reference ``wallet-top-up:<id>`` is unique). ``None``
    for an invoice that bills no top-up."""
    top_up = (
        WalletTopUp.objects.select_for_update(no_key=True).select_related("user").filter(invoice_id=invoice.pk).first()
    )
    if top_up is None or top_up.credited_at is not None:
        return top_up
    wallet_top_up(
        wallet=wallet_open(user=top_up.user),
        amount=top_up.amount,
        reference=f"wallet-top-up:{top_up.pk}",
        memo=f"Card top-up (invoice {invoice.number})",
    )
    top_up.credited_at = timezone.now()
    top_up.save(update_fields=["credited_at"])
    notify(
        recipient=top_up.user,
        verb="wallet.topped_up",
        target=top_up,
        extra_data={"amount": str(top_up.amount), "currency": top_up.currency},
    )
    return top_up
