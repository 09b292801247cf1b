"""``manage.py stripe_test_webhook``: deliver a signed Stripe event for a PaymentIntent to a running site.

For development against a local Stripe fake (localstripe), where no Stripe dashboard sends events::

    python manage.py stripe_test_webhook --tenant school --payment-intent pi_123 --confirm
    python manage.py stripe_test_webhook --tenant school --payment-intent pi_123 --event-id evt_... # replay

It fetches the intent from ``STRIPE_API_BASE`` (``--confirm`` first pays it with a test card, which
only a local fake accepts), wraps it in an event the way Stripe does, signs it with
``STRIPE_WEBHOOK_SECRET`` (header ``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">``) and POSTs it
to ``http://<slug>.<PLATFORM_DOMAIN>:<port>/api/v1/payments/stripe/webhook/``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import requests
import stripe
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.api.errors import ApplicationError
from tenant_apps.payments import stripe_gateway

EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled")
#: localstripe's test cards: one that pays, one whose charge is declined.
TEST_CARDS = {"payment_intent.succeeded": "4242424242424242", "payment_intent.payment_failed": "4000000000000341"}
WEBHOOK_PATH = "/api/v1/payments/stripe/webhook/"


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """Stripe's ``Stripe-Signature`` header for ``payload`` signed at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def build_event(intent: dict[str, Any], event_type: str, event_id: str | None = None) -> dict[str, Any]:
    """A v1 snapshot event of ``event_type`` carrying ``intent``, shaped like Stripe's."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": stripe.api_version,
        "created": int(time.time()),
        "data": {"object": intent},
        "livemode": bool(intent.get("livemode", False)),
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


class Command(BaseCommand):
    """Sign and POST a PaymentIntent event (``--event``) for ``--payment-intent`` to ``--tenant``'s webhook;
    ``--confirm`` first pays it on localstripe, ``--event-id`` replays an event."""

    help = "Sign and POST a Stripe PaymentIntent event to a tenant's webhook endpoint (development)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug, e.g. school.")
        parser.add_argument("--payment-intent", required=True, help="PaymentIntent id (pi_...).")
        parser.add_argument("--event", default=EVENTS[0], choices=EVENTS, help="Event type.")
        parser.add_argument("--event-id", default=None, help="Reuse an event id (to show that replays are no-ops).")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="First pay (or, for payment_failed, decline) the intent with a localstripe test card.",
        )
        parser.add_argument("--port", default="8000", help="Port of the running server.")
        parser.add_argument(
            "--address",
            default=None,
            help="Address to connect to (default: 127.0.0.1 for *.localhost hosts, else the host).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.STRIPE_WEBHOOK_SECRET:
            raise CommandError("Set STRIPE_WEBHOOK_SECRET (the same value as the server's).")
        slug, intent_id, event_type = options["tenant"], options["payment_intent"], options["event"]
        host = f"{slug}.{settings.PLATFORM_DOMAIN}"
        address = options["address"] or ("127.0.0.1" if host.endswith("localhost") else host)
        try:
            if options["confirm"]:
                self._confirm(intent_id, event_type)
            intent = stripe_gateway.payment_intent_retrieve(intent_id).data
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message} (STRIPE_API_BASE={settings.STRIPE_API_BASE})") from exc
        except stripe.StripeError as exc:
            raise CommandError(
                f"Stripe refused {intent_id!r}: {exc.user_message or exc} (STRIPE_API_BASE={settings.STRIPE_API_BASE})"
            ) from exc
        if event_type == "payment_intent.succeeded" and intent.get("status") != "succeeded":
            self.stderr.write(
                f"note: the intent's status is {intent.get('status')!r}; Stripe would not send "
                "this event yet (use --confirm against localstripe)"
            )

        event = build_event(intent, event_type, options["event_id"])
        payload = json.dumps(event, indent=2)
        url = f"http://{address}:{options['port']}{WEBHOOK_PATH}"
        headers = {
            "Host": f"{host}:{options['port']}",
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(payload, settings.STRIPE_WEBHOOK_SECRET, int(time.time())),
        }
        try:
            response = requests.post(url, data=payload.encode(), headers=headers, timeout=15)
        except requests.RequestException as exc:
            raise CommandError(f"could not reach http://{host}:{options['port']}{WEBHOOK_PATH}: {exc}") from exc
        self.stdout.write(f"{event['type']} {event['id']} -> http://{host}:{options['port']}{WEBHOOK_PATH}")
        self.stdout.write(f"{response.status_code} {response.text}")
        if response.status_code >= 300:
            raise CommandError(f"the webhook answered {response.status_code}")

    def _confirm(self, intent_id: str, event_type: str) -> None:
        card = TEST_CARDS.get(event_type)
        if card is None:
            raise CommandError(f"--confirm does not apply to {event_type}")
        client = stripe_gateway.stripe_client()
        method = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
        )
        client.v1.payment_intents.update(intent_id, params={"payment_method": str(method.id)})
        try:
            client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError as exc:
            self.stdout.write(f"card declined as asked: {exc.user_message or exc}")
