"""Card payments through Stripe: PaymentIntents, and the signed webhook applied exactly once per event."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from saas.billing import StripeConnection, stripe_connection
from saas.db.tenant import current_schema, current_tenant_uuid
from saas.money import (
    check_amount,
    round_money,
    to_minor_units,
)
from tenant_apps.audit.services import audit_record
from tenant_apps.payments import stripe_gateway
from tenant_apps.payments.locks import invoice_lock, payment_lock
from tenant_apps.payments.models import (
    ZERO,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeCustomer,
    StripeEvent,
)
from tenant_apps.payments.services._common import (
    _approve,
    _check_payable,
    _notify_approvers,
    _open_amount,
    _payment_facts,
    _refuse_overpayment,
    _reject,
    impersonation_mark,
    impersonation_metadata,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StripeCheckout:
    """A pending Stripe payment and the PaymentIntent's ``client_secret`` for Stripe.js."""

    payment: Payment
    client_secret: str
    created: bool


_REUSABLE_INTENT_STATES = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})


def application_fee_minor(amount_minor: int, percent: Decimal) -> int:
    """The platform's application fee on a charge of ``amount_minor`` (Stripe's integer unit):
    ``percent`` (0..100) of it, rounded half up to a whole minor unit (150.00 at 3% -> 450)."""
    return int((Decimal(amount_minor) * Decimal(percent) / 100).to_integral_value(rounding=ROUND_HALF_UP))


def payment_stripe_start(*, invoice: Invoice, payer: Any, amount: Decimal | str | None = None) -> StripeCheckout:
    """Start a card payment of ``amount`` (default: all that is open) on ``invoice``.

    Creates a pending ``Payment`` and a Stripe PaymentIntent (amount in Stripe's minor unit, lower
    case currency, metadata ``{tenant, tenant_uuid, invoice, payment, invoice_number}``) in one
    transaction that holds the invoice lock, so a failed Stripe call leaves nothing behind. A payer
    coming back with the same amount while their earlier intent (on the same Stripe account) is
    still unpaid gets that intent again (``created=False``).

    Where the money goes is the platform's to say (``saas.billing.stripe_connection()``, issue 16
    point 5): a site with a connected Stripe account is charged there (a direct charge: the intent
    is created with the ``Stripe-Account`` header) with the platform's ``application_fee_amount``
    (its plan's percent, ``application_fee_minor``); the payment keeps ``stripe_account_id`` and
    ``application_fee`` (``Decimal``, invoice currency). Such a charge names **no Stripe Customer**:
    a Customer lives on one account, and the payer's (``stripe_customer_for``) is on the
    platform's; making one per connected account would copy the payer's e-mail into each site's
    Stripe account for a dashboard grouping, while nothing here reuses saved cards. The card's
    fingerprint (``card_fingerprint``), which the writing referrals compare, is per account either way.

    Raises ``ApplicationError``: ``payments_unavailable`` (503, no ``STRIPE_SECRET_KEY``),
    ``stripe_account_not_connected`` (409, the site has no connected account and the platform
    takes none of its payments: ``STRIPE_CONNECT_PLATFORM_FALLBACK`` off), ``invalid_amount``
    (400), ``invoice_cancelled`` / ``overpayment`` (409), ``payment_provider_error`` (502),
    ``payment_provider_rejected`` (400).
    """
    stripe_gateway.require_payments_enabled()  # 503 before anything when online payments are off
    connection = stripe_connection()  # 409 before anything when the site may not take cards yet
    account_id = connection.account_id if connection is not None else ""
    with transaction.atomic():
        invoice = invoice_lock(invoice.pk)
        _check_payable(invoice)
        wanted = None if amount is None else check_amount(amount, invoice.currency)
        earlier = Payment.objects.filter(
            invoice=invoice,
            payer_id=payer.pk,
            method=PaymentMethod.STRIPE,
            status=PaymentStatus.PENDING,
            stripe_payment_intent_id__isnull=False,
            stripe_account_id=account_id,
        ).order_by("-pk")
        for candidate in earlier:
            if wanted is None or candidate.amount == wanted:
                intent = stripe_gateway.payment_intent_retrieve(
                    str(candidate.stripe_payment_intent_id), stripe_account=account_id or None
                )
                if intent.status in _REUSABLE_INTENT_STATES:
                    return StripeCheckout(payment=candidate, client_secret=intent.client_secret, created=False)
        open_amount = _open_amount(invoice)
        if wanted is None:
            wanted = open_amount
        _refuse_overpayment(invoice, wanted, open_amount)
        payment = Payment.objects.create(
            invoice=invoice,
            payer=payer,
            amount=wanted,
            method=PaymentMethod.STRIPE,
            impersonated_by=impersonation_mark(),
        )
        schema = current_schema()
        amount_minor = to_minor_units(wanted, invoice.currency)
        fee_minor = _fee_of(connection, amount_minor)
        intent = stripe_gateway.payment_intent_create(
            customer=None if connection is not None else stripe_customer_for(payer),
            amount_minor=amount_minor,
            currency=invoice.currency.lower(),
            metadata={
                "tenant": schema,
                "tenant_uuid": current_tenant_uuid(),
                "invoice": str(invoice.pk),
                "payment": str(payment.pk),
                "invoice_number": invoice.number,
                **impersonation_metadata(),
            },
            idempotency_key=f"{schema}:payment:{payment.pk}",
            stripe_account=account_id or None,
            application_fee_minor=fee_minor,
        )
        payment.stripe_payment_intent_id = intent.id
        payment.stripe_account_id = account_id
        if fee_minor is not None:
            unit = to_minor_units(Decimal(1), invoice.currency)
            payment.application_fee = round_money(Decimal(fee_minor) / unit, invoice.currency)
        payment.save(update_fields=["stripe_payment_intent_id", "stripe_account_id", "application_fee"])
        facts = {**_payment_facts(payment, invoice), "payment_intent": intent.id}
        if account_id:
            facts.update(stripe_account=account_id, application_fee=str(payment.application_fee))
        audit_record(actor=payer, verb="payment.stripe_started", target=payment, changes=facts)
    return StripeCheckout(payment=payment, client_secret=intent.client_secret, created=True)


def _fee_of(connection: StripeConnection | None, amount_minor: int) -> int | None:
    if connection is None:
        return None
    return application_fee_minor(amount_minor, connection.application_fee_percent)


def stripe_customer_for(user: Any) -> str:
    """The Stripe Customer id of ``user`` on this site: the stored one, or a new Stripe Customer
    (e-mail, name, metadata ``{tenant, tenant_uuid, user}``) stored now and reused from then on.

    The idempotency key ``<schema>:<tenant uuid>:customer:<user id>`` makes a retried or a racing
    first call return the same customer; the one-per-user constraint keeps one row. Called inside
    ``payment_stripe_start``'s transaction: if that rolls back, the next payment asks Stripe again
    and gets the same customer back (within Stripe's 24 h idempotency window; a new one after).
    Raises Stripe's errors (``stripe_gateway``).
    """
    found = StripeCustomer.objects.filter(user_id=user.pk).values_list("customer_id", flat=True).first()
    if found:
        return found
    schema, tenant_uuid = current_schema(), current_tenant_uuid()
    customer_id = stripe_gateway.customer_create(
        email=user.email,
        name=user.get_full_name() or "",
        metadata={"tenant": schema, "tenant_uuid": tenant_uuid, "user": str(user.pk)},
        idempotency_key=f"{schema}:{tenant_uuid}:customer:{user.pk}",
    )
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(user_id=user.pk, customer_id=customer_id)
    except IntegrityError:  # a concurrent first payment stored it (the same id, by the idempotency key)
        return StripeCustomer.objects.get(user_id=user.pk).customer_id
    return customer_id


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
    """Verify and apply one delivery of this site's Stripe webhook (the platform's account).

    The signature is checked first (``stripe_gateway.webhook_event``: 400 ``invalid_signature`` /
    ``invalid_payload``, 503 without ``STRIPE_WEBHOOK_SECRET``); the event is then applied by
    ``stripe_event_apply``, which the platform's Connect webhook calls as well (in the tenant of
    the connected account the event names).
    """
    event = stripe_gateway.webhook_event(payload=payload, signature=signature)
    return stripe_event_apply(event=event)


def stripe_event_apply(*, event: dict[str, Any]) -> WebhookResult:
    """Apply one already-verified Stripe event (a dict) in the current tenant, exactly once per
    event id and tenant.

    * An event whose object's ``metadata.tenant`` is not this tenant is **ignored** (200, nothing
      written): with one Stripe account, every tenant's endpoint receives every event, and Stripe
      must not retry (or disable the endpoint) over events meant for a sibling. So is one whose
      ``metadata.tenant_uuid`` is not this tenant's ``Tenant.uuid``: a tenant dropped and
      provisioned again under the same slug never applies the old tenant's events. (Intents created
      before ``tenant_uuid`` was written carry only the slug, and are matched by it.)
    * The event id is inserted in ``StripeEvent`` in the transaction that applies it; a second
      delivery, even concurrent, finds the row (or waits for it and hits the unique index) and is a
      no-op (``duplicate``).
    * The event's ``account`` (set on a connected account's events) must be the account the
      payment was charged on (``Payment.stripe_account_id``; none for the platform's), else
      ``account_mismatch`` and nothing changes.
    * ``payment_intent.succeeded``: approves the pending payment (invoice may turn paid). The
      amount and currency must match the payment, else ``amount_mismatch``. A payment already
      rejected (failed earlier, cancelled, or rejected by hand) is approved again if the invoice
      still has room; otherwise ``refund_required`` is recorded, logged as an error and the
      finance users are notified. The card's fingerprint, when the event carries it
      (``card_fingerprint_of``), is kept on the payment (``Payment.card_fingerprint``).
    * ``payment_intent.payment_failed`` / ``.canceled``: rejects a pending payment with Stripe's
      message; a decided payment is left alone (``stale``: Stripe does not order its events).
    * Other types are recorded as ``ignored``.
    """
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


def card_fingerprint_of(intent: dict[str, Any]) -> str:
    """The fingerprint of the card that paid the PaymentIntent ``intent`` (a webhook event's
    object), or ``""`` when the payload does not carry it. Looked up where Stripe puts it: the
    expanded ``latest_charge``, the ``charges.data`` list of older API versions, or an expanded
    ``payment_method`` (``...payment_method_details.card.fingerprint`` /
    ``payment_method.card.fingerprint``)."""

    def card_of(charge: Any) -> str:
        if not isinstance(charge, dict):
            return ""
        details = charge.get("payment_method_details") or {}
        card = details.get("card") if isinstance(details, dict) else None
        value = card.get("fingerprint") if isinstance(card, dict) else None
        return str(value)[:64] if isinstance(value, str) else ""

    candidates: list[Any] = [intent.get("latest_charge")]
    charges = intent.get("charges")
    if isinstance(charges, dict) and isinstance(charges.get("data"), list):
        candidates.extend(charges["data"])
    for charge in candidates:
        found = card_of(charge)
        if found:
            return found
    method = intent.get("payment_method")
    if isinstance(method, dict) and isinstance(method.get("card"), dict):
        value = method["card"].get("fingerprint")
        if isinstance(value, str) and value:
            return value[:64]
    return ""


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
    if str(event.get("account") or "") != found.stripe_account_id:
        logger.error(
            "Stripe event %s from account %r for payment %s charged on %r",
            event["id"],
            event.get("account"),
            found.pk,
            found.stripe_account_id,
        )
        return "account_mismatch", found
    invoice = invoice_lock(found.invoice_id)
    payment = payment_lock(found.pk)
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
    fingerprint = card_fingerprint_of(obj)
    if fingerprint and payment.card_fingerprint != fingerprint:
        payment.card_fingerprint = fingerprint
        payment.save(update_fields=["card_fingerprint"])
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
