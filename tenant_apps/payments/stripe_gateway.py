"""A site's card payments through Stripe: PaymentIntents, customers, refunds, the webhook's events.

The client and the mapping of Stripe's errors to ours are ``saas.stripe``'s (shared with the
platform's billing): without ``STRIPE_SECRET_KEY`` every call raises ``payments_unavailable``
(503); unreachable Stripe -> ``payment_provider_error`` (502); a request Stripe refuses ->
``payment_provider_rejected`` (400).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from saas.stripe import payments_enabled, require_payments_enabled, stripe_client, verified_event
from saas.stripe import stripe_errors as _stripe_errors

__all__ = ["payments_enabled", "require_payments_enabled", "stripe_client"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent: ``id``, ``client_secret``, ``status``, the raw object."""

    id: str
    client_secret: str
    status: str
    data: dict[str, Any]


def _intent(obj: Any) -> Intent:
    data = obj.to_dict()
    return Intent(
        id=str(data["id"]),
        client_secret=str(data.get("client_secret") or ""),
        status=str(data.get("status") or ""),
        data=data,
    )


def _options(idempotency_key: str | None = None, stripe_account: str | None = None) -> dict[str, Any]:
    """The SDK's request options: the idempotency key, and the ``Stripe-Account`` header that makes
    the call on a site's connected account (Stripe Connect) rather than the platform's."""
    options: dict[str, Any] = {}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    if stripe_account:
        options["stripe_account"] = stripe_account
    return options


def payment_intent_create(
    *,
    amount_minor: int,
    currency: str,
    metadata: dict[str, str],
    idempotency_key: str,
    customer: str | None = None,
    stripe_account: str | None = None,
    application_fee_minor: int | None = None,
) -> Intent:
    """Create a PaymentIntent of ``amount_minor`` (Stripe's integer unit) in ``currency`` (lower case),
    for the Stripe Customer ``customer`` when given.

    With ``stripe_account`` (``acct_...``) it is a direct charge on that connected account (the
    ``Stripe-Account`` header) and ``application_fee_minor`` (minor units) is the platform's
    ``application_fee_amount``. ``idempotency_key`` makes a repeated call (a network retry) return
    the same intent.
    """
    client = stripe_client()
    params: dict[str, Any] = {"amount": amount_minor, "currency": currency, "metadata": metadata}
    if customer:
        params["customer"] = customer
    if stripe_account and application_fee_minor:
        params["application_fee_amount"] = application_fee_minor
    with _stripe_errors():
        # No payment-method types: Stripe then offers those enabled in the dashboard (its default).
        obj = client.v1.payment_intents.create(
            params=params,  # type: ignore[arg-type]
            options=_options(idempotency_key, stripe_account),  # type: ignore[arg-type]
        )
    return _intent(obj)


def customer_create(*, email: str, name: str, metadata: dict[str, str], idempotency_key: str) -> str:
    """Create a Stripe Customer and return its id (``cus_...``); ``idempotency_key`` makes a repeated
    call return the same customer."""
    client = stripe_client()
    params: dict[str, Any] = {"email": email, "metadata": metadata}
    if name:
        params["name"] = name
    with _stripe_errors():
        obj = client.v1.customers.create(params=params, options={"idempotency_key": idempotency_key})  # type: ignore[arg-type]
    return str(obj.to_dict()["id"])


@dataclass(frozen=True)
class StripeRefund:
    """What we keep of a Stripe Refund: ``id`` and ``status`` (``pending``, ``succeeded``, ``failed``...)."""

    id: str
    status: str


def refund_create(
    *,
    payment_intent: str,
    amount_minor: int,
    metadata: dict[str, str],
    idempotency_key: str,
    stripe_account: str | None = None,
) -> StripeRefund:
    """Refund ``amount_minor`` (Stripe's integer unit) of the PaymentIntent ``payment_intent``, on the
    connected account ``stripe_account`` when the payment was charged there (the platform's
    application fee is kept: Stripe's default without ``refund_application_fee``)."""
    client = stripe_client()
    with _stripe_errors():
        obj = client.v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount_minor, "metadata": metadata},
            options=_options(idempotency_key, stripe_account),  # type: ignore[arg-type]
        )
    data = obj.to_dict()
    return StripeRefund(id=str(data["id"]), status=str(data.get("status") or "pending"))


def payment_intent_retrieve(intent_id: str, *, stripe_account: str | None = None) -> Intent:
    """The PaymentIntent ``intent_id`` as Stripe has it now (on the connected account
    ``stripe_account`` when it was created there)."""
    client = stripe_client()
    with _stripe_errors():
        obj = client.v1.payment_intents.retrieve(intent_id, options=_options(None, stripe_account))  # type: ignore[arg-type]
    return _intent(obj)


def webhook_event(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event in ``payload`` as a dict, once its ``Stripe-Signature`` header is verified with
    ``STRIPE_WEBHOOK_SECRET`` (``saas.stripe.verified_event``, which says what it raises)."""
    return verified_event(payload=payload, signature=signature, secret=settings.STRIPE_WEBHOOK_SECRET)
