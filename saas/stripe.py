"""Stripe, through the official SDK: the one place a client is made and Stripe's errors become ours.

Used by the tenant apps' card payments (``tenant_apps/payments/stripe_gateway.py``) and by the
platform's billing (``shared_apps/billing/``). The client talks to ``STRIPE_API_BASE``
(``https://api.stripe.com`` in production; a local fake such as localstripe in development and
tests) with ``STRIPE_SECRET_KEY``. Without a key, online payments are off and every call raises
``payments_unavailable`` (503) before touching anything.

Errors (``stripe_errors``): unreachable Stripe, its 5xx and rate limits -> ``payment_provider_error``
(502); a request Stripe refuses (amount too small, card declined, ...) ->
``payment_provider_rejected`` (400) with Stripe's message; a bad key -> ``payments_unavailable``
(503, logged).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
def stripe_errors() -> Iterator[None]:
    """Turn the Stripe SDK's errors raised inside into ours (see the module docstring)."""
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


def verified_event(*, payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event in ``payload`` as a dict, once its ``Stripe-Signature`` header is verified.

    Verification is Stripe's (``stripe.Webhook.construct_event``): HMAC-SHA256 of
    ``"<t>.<payload>"`` with ``secret`` (the endpoint's signing secret), timestamp within 300 s.
    Raises ``ApplicationError``: ``payments_unavailable`` (503) when ``secret`` is empty,
    ``invalid_signature`` (400), ``invalid_payload`` (400: not JSON, not an object with string
    ``id`` and ``type``, or a ``data.object`` / its ``metadata`` that is not an object).
    """
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


def event_envelope(
    obj: dict[str, Any],
    event_type: str,
    *,
    event_id: str | None = None,
    account: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """The v1 snapshot Event Stripe would send around ``obj`` (``event_type``, e.g.
    ``payment_intent.succeeded``): a random ``evt_`` id unless ``event_id`` is given, ``created``
    in Unix seconds (now by default), and ``account`` for an event of a connected account (what
    Connect endpoints receive). For the commands that play Stripe's part in development and for
    the tests; sign it with ``stripe.WebhookSignature.generate_signature_header``.
    Source: https://docs.stripe.com/api/events/object
    """
    event: dict[str, Any] = {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
        "livemode": bool(obj.get("livemode", False)),
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    if account:
        event["account"] = account
    return event
