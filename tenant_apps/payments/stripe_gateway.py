"""Stripe, through the official SDK: one platform account, a client per call, errors mapped to ours.

The client talks to ``STRIPE_API_BASE`` (``https://api.stripe.com`` in production; a local fake
such as localstripe in development and tests) with ``STRIPE_SECRET_KEY``. Without a key, online
payments are off and every call raises ``payments_unavailable`` (503) before touching anything.

Errors: unreachable Stripe, its 5xx and rate limits -> ``payment_provider_error`` (502); a request
Stripe refuses (amount too small, card declined, ...) -> ``payment_provider_rejected`` (400) with
Stripe's message; a bad key -> ``payments_unavailable`` (503, logged).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode, ServiceUnavailable

logger = logging.getLogger(__name__)

#: Seconds before a Stripe call gives up (the SDK's default is 80).
TIMEOUT_SECONDS = 20
#: Retries of a failed call; the SDK sends an idempotency key, so a retried create is still one.
MAX_NETWORK_RETRIES = 2


@dataclass(frozen=True)
class Intent:
    """What we keep of a PaymentIntent: ``id``, ``client_secret``, ``status``, the raw object."""

    id: str
    client_secret: str
    status: str
    data: dict[str, Any]


def payments_enabled() -> bool:
    """Whether online payments are configured (``STRIPE_SECRET_KEY`` is set)."""
    return bool(settings.STRIPE_SECRET_KEY)


def require_payments_enabled() -> None:
    """Raise ``ApplicationError`` ``payments_unavailable`` (503) unless ``STRIPE_SECRET_KEY`` is set."""
    if not payments_enabled():
        raise ServiceUnavailable("Online payments are not available on this site.", code=ErrorCode.PAYMENTS_UNAVAILABLE)


def stripe_client() -> stripe.StripeClient:
    """A client for ``STRIPE_API_BASE``; raises ``payments_unavailable`` (503) without a secret key."""
    require_payments_enabled()
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


@contextmanager
def _stripe_errors() -> Iterator[None]:
    try:
        yield
    except stripe.AuthenticationError:
        logger.exception("Stripe refused the secret key")
        raise ServiceUnavailable(
            "Online payments are not available on this site.", code=ErrorCode.PAYMENTS_UNAVAILABLE
        ) from None
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as exc:
        logger.warning("Stripe unavailable: %s", exc)
        raise ApplicationError(
            "The payment provider could not be reached. Try again shortly.",
            code=ErrorCode.PAYMENT_PROVIDER_ERROR,
            status_code=502,
        ) from None
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc) or "The payment provider refused the request."
        raise ApplicationError(
            message,
            code=ErrorCode.PAYMENT_PROVIDER_REJECTED,
            status_code=400,
            details={"provider_code": getattr(exc, "code", None)},
        ) from None


def _intent(obj: Any) -> Intent:
    data = obj.to_dict()
    return Intent(
        id=str(data["id"]),
        client_secret=str(data.get("client_secret") or ""),
        status=str(data.get("status") or ""),
        data=data,
    )


def payment_intent_create(
    *, amount_minor: int, currency: str, metadata: dict[str, str], idempotency_key: str, customer: str | None = None
) -> Intent:
    """Create a PaymentIntent of ``amount_minor`` (Stripe's integer unit) in ``currency`` (lower case),
    for the Stripe Customer ``customer`` when given.

    ``idempotency_key`` makes a repeated call (a network retry) return the same intent.
    """
    client = stripe_client()
    params: dict[str, Any] = {"amount": amount_minor, "currency": currency, "metadata": metadata}
    if customer:
        params["customer"] = customer
    with _stripe_errors():
        # No payment-method types: Stripe then offers those enabled in the dashboard (its default).
        obj = client.v1.payment_intents.create(params=params, options={"idempotency_key": idempotency_key})  # type: ignore[arg-type]
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
    *, payment_intent: str, amount_minor: int, metadata: dict[str, str], idempotency_key: str
) -> StripeRefund:
    """Refund ``amount_minor`` (Stripe's integer unit) of the PaymentIntent ``payment_intent``."""
    client = stripe_client()
    with _stripe_errors():
        obj = client.v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount_minor, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    data = obj.to_dict()
    return StripeRefund(id=str(data["id"]), status=str(data.get("status") or "pending"))


def payment_intent_retrieve(intent_id: str) -> Intent:
    """The PaymentIntent ``intent_id`` as Stripe has it now."""
    client = stripe_client()
    with _stripe_errors():
        obj = client.v1.payment_intents.retrieve(intent_id)
    return _intent(obj)


def webhook_event(*, payload: bytes, signature: str | None) -> dict[str, Any]:
    """The event in ``payload`` as a dict, once its ``Stripe-Signature`` header is verified.

    Verification is Stripe's (``stripe.Webhook.construct_event``): HMAC-SHA256 of
    ``"<t>.<payload>"`` with ``STRIPE_WEBHOOK_SECRET``, timestamp within 300 s. Raises
    ``ApplicationError``: ``payments_unavailable`` (503) without a webhook secret,
    ``invalid_signature`` (400), ``invalid_payload`` (400: not JSON, not an object with string
    ``id`` and ``type``, or a ``data.object`` / its ``metadata`` that is not an object).
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise ServiceUnavailable(
            "Stripe webhooks are not configured on this server.", code=ErrorCode.PAYMENTS_UNAVAILABLE
        )
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError:
        raise ApplicationError(
            "The Stripe signature is missing, invalid or too old.", code=ErrorCode.INVALID_SIGNATURE, status_code=400
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            "The event is not valid JSON.", code=ErrorCode.INVALID_PAYLOAD, status_code=400
        ) from None
    except AttributeError:  # valid JSON but not an object: a list, a string, a number
        raise ApplicationError(
            "The event is not a JSON object.", code=ErrorCode.INVALID_PAYLOAD, status_code=400
        ) from None
    data = event.to_dict() if hasattr(event, "to_dict") else event
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise ApplicationError("The event has no id or type.", code=ErrorCode.INVALID_PAYLOAD, status_code=400)
    payload_data = data.get("data", {})
    obj = payload_data.get("object", {}) if isinstance(payload_data, dict) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata", {}), dict | None):
        raise ApplicationError(
            "The event's data.object is not an object with a metadata object.",
            code=ErrorCode.INVALID_PAYLOAD,
            status_code=400,
        )
    return data
