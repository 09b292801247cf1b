"""A client buys a bundle: an invoice paid from the wallet at once, or by card (Stripe's webhook
reports it); ``invoice_paid`` activates the purchase. The beat task expires active purchases whose
validity ran out.

Locks (``locks.py``): buying creates the invoice (the invoice counter); the wallet payment locks
the invoice, then the wallet, and sends ``invoice_paid`` with the invoice locked, whose receiver
locks the purchase (``purchase_lock``). Expiry locks each purchase alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import invoice_create, payment_stripe_start, payment_wallet_pay
from tenant_apps.writing.bundles.access import can_buy_bundles
from tenant_apps.writing.bundles.locks import purchase_lock
from tenant_apps.writing.bundles.models import Bundle, BundlePurchase, PurchaseStatus
from tenant_apps.writing.bundles.services._common import field_error, notify_client, purchase_facts
from tenant_apps.writing.pricing.services import pricing_currency


class PaymentMethod(models.TextChoices):
    """How a bundle is paid."""

    WALLET = "wallet", "From the wallet, at once"
    CARD = "card", "By card (Stripe)"


@dataclass(frozen=True)
class PurchaseCheckout:
    """A bundle bought: ``purchase`` (``active`` when paid from the wallet, ``pending`` by card),
    and for a card, the ``payment`` and the ``client_secret`` to confirm with Stripe.js."""

    purchase: BundlePurchase
    payment: Payment | None = None
    client_secret: str = ""


def bundle_buy(*, client: Any, bundle: Bundle, method: str) -> PurchaseCheckout:
    """``client`` buys ``bundle`` (an active one): an invoice issued to them (one line, the bundle's
    price, due today, not e-mailed: the paid invoice is, by the payments app) and a ``pending``
    ``BundlePurchase`` with a copy of the bundle's terms, then

    * ``wallet``: the invoice paid from the client's wallet (``payment_wallet_pay``, ledger reference
      ``writing_bundle:<id>:payment``); ``invoice_paid`` activates the purchase in the same
      transaction, so it comes back ``active``;
    * ``card``: a Stripe PaymentIntent for the price (``payment_stripe_start``); the webhook's
      ``invoice_paid`` activates it later.

    All in one transaction: when the wallet holds too little or Stripe refuses, nothing is left.
    Audited (``writing_bundle.bought``).

    Raises ``PermissionDenied`` (403: not a client), ``Conflict`` 409 ``product_unavailable`` (an
    inactive bundle), ``currency_mismatch`` (the bundle is priced in another currency than the
    site's or the wallet's); ``ApplicationError`` 402 ``insufficient_funds``, 400
    ``validation_error`` (``method``); what ``payment_stripe_start`` raises (503
    ``payments_unavailable``, 502).
    """
    if not can_buy_bundles(client):
        raise PermissionDenied("Only clients buy bundles.")
    if method not in PaymentMethod.values:
        raise field_error("method", "wallet or card.")
    if not bundle.is_active:
        raise Conflict("This bundle is no longer sold.", code=ErrorCode.PRODUCT_UNAVAILABLE)
    currency = pricing_currency()
    if bundle.currency != currency:
        raise Conflict(
            f"This bundle is priced in {bundle.currency}; the site's prices are in {currency}.",
            code=ErrorCode.CURRENCY_MISMATCH,
            details={"bundle_currency": bundle.currency, "currency": currency},
        )
    terms = f"{bundle.quantity} {bundle.unit}, valid {bundle.validity_days} days"
    with transaction.atomic():
        invoice = invoice_create(
            customer=client,
            currency=bundle.currency,
            due_date=timezone.localdate(),
            lines=[
                {
                    "description": f"Bundle: {bundle.name} ({terms})"[:300],
                    "quantity": 1,
                    "unit_price": bundle.price,
                }
            ],
            note=f"Bundle {bundle.name}"[:200],
            send_email=False,
        )
        purchase = BundlePurchase.objects.create(
            client=client,
            bundle=bundle,
            unit=bundle.unit,
            quantity=bundle.quantity,
            remaining=bundle.quantity,
            price=bundle.price,
            currency=bundle.currency,
            validity_days=bundle.validity_days,
            invoice=invoice,
        )
        audit_record(
            actor=client,
            verb="writing_bundle.bought",
            target=purchase,
            changes={**purchase_facts(purchase), "method": method},
        )
        if method == PaymentMethod.WALLET:
            payment_wallet_pay(
                invoice=invoice,
                payer=client,
                reference=f"writing_bundle:{purchase.pk}:payment",
                memo=f"Bundle {bundle.name}"[:200],
            )
            purchase.refresh_from_db()
            return PurchaseCheckout(purchase=purchase)
        checkout = payment_stripe_start(invoice=invoice, payer=client)
    return PurchaseCheckout(purchase=purchase, payment=checkout.payment, client_secret=checkout.client_secret)


def purchase_activate(*, invoice: Invoice) -> BundlePurchase | None:
    """``invoice_paid``: the purchase ``invoice`` bills becomes ``active`` (``activated_at`` now,
    ``expires_at`` that plus its ``validity_days``); its client is notified
    (``writing_bundle.activated``). Runs in the payment's transaction, the invoice locked, then
    locks the purchase. ``None`` for an invoice that bills no purchase; one no longer pending is
    left as it is (once only)."""
    found = BundlePurchase.objects.filter(invoice_id=invoice.pk).values_list("pk", flat=True).first()
    if found is None:
        return None
    with transaction.atomic():
        purchase = purchase_lock(found)
        if purchase.status != PurchaseStatus.PENDING:
            return purchase
        now = timezone.now()
        purchase.status = PurchaseStatus.ACTIVE
        purchase.activated_at = now
        purchase.expires_at = now + timedelta(days=purchase.validity_days)
        purchase.save(update_fields=["status", "activated_at", "expires_at", "updated_at"])
        audit_record(
            actor=None,
            verb="writing_bundle.activated",
            target=purchase,
            changes={"status": [PurchaseStatus.PENDING, PurchaseStatus.ACTIVE], **purchase_facts(purchase)},
        )
        notify_client(purchase, verb="writing_bundle.activated")
    return purchase


def purchases_expire(*, now: datetime | None = None) -> list[int]:
    """Expire the site's ``active`` purchases whose ``expires_at`` is at or before ``now`` (default:
    the current time): status ``expired`` (the units left stay recorded, unusable), audited
    (``writing_bundle.expired``), the client notified. Each under its own lock and transaction,
    checked again there. Returns their ids, ascending."""
    now = now or timezone.now()
    due = BundlePurchase.objects.filter(status=PurchaseStatus.ACTIVE, expires_at__lte=now).order_by("pk")
    done: list[int] = []
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            purchase = purchase_lock(pk)
            if purchase.status != PurchaseStatus.ACTIVE or purchase.expires_at is None or purchase.expires_at > now:
                continue
            purchase.status = PurchaseStatus.EXPIRED
            purchase.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                verb="writing_bundle.expired",
                target=purchase,
                changes={"status": [PurchaseStatus.ACTIVE, PurchaseStatus.EXPIRED], "remaining": purchase.remaining},
            )
            notify_client(purchase, verb="writing_bundle.expired")
            done.append(pk)
    return done
