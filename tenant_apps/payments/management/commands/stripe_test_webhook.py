"""``manage.py stripe_test_webhook``: deliver a signed Stripe event for a PaymentIntent to a running site.

For development against a local Stripe fake (localstripe), where no Stripe dashboard sends events::

    python manage.py stripe_test_webhook --tenant school --payment-intent pi_123 --confirm
    python manage.py stripe_test_webhook --tenant school --payment-intent pi_123 --event-id evt_... # replay
    python manage.py stripe_test_webhook --account acct_123 --payment-intent pi_123 --confirm  # Connect

It fetches the intent from ``STRIPE_API_BASE`` (``--confirm`` first pays it with a test card, which
only a local fake accepts), wraps it in an event the way Stripe does, signs it with
``STRIPE_WEBHOOK_SECRET`` (header ``t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>">``) and POSTs it
to ``http://<slug>.<PLATFORM_DOMAIN>:<port>/api/v1/payments/stripe/webhook/``.

With ``--account acct_...`` (a site's connected Stripe account) the intent is read on that account
(``Stripe-Account``), the event carries ``"account": "acct_..."`` as Stripe's Connect events do, is
signed with ``STRIPE_CONNECT_WEBHOOK_SECRET`` and goes to the platform's Connect webhook,
``http://<PLATFORM_DOMAIN>:<port>/api/v1/billing/stripe/connect/webhook/`` (``--tenant`` not needed).
"""

from __future__ import annotations

import json
import time
from typing import Any

import requests
import stripe
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.api.errors import ApplicationError
from saas.stripe import event_envelope
from tenant_apps.payments import stripe_gateway

EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled")
#: localstripe's test cards: one that pays, one whose charge is declined.
TEST_CARDS = {"payment_intent.succeeded": "4242424242424242", "payment_intent.payment_failed": "4000000000000341"}
WEBHOOK_PATH = "/api/v1/payments/stripe/webhook/"
CONNECT_WEBHOOK_PATH = "/api/v1/billing/stripe/connect/webhook/"


def signature_header(payload: str, secret: str, timestamp: int) -> str:
    """Stripe's ``Stripe-Signature`` header for ``payload`` signed at ``timestamp`` (Unix seconds),
    computed by the Stripe SDK (``WebhookSignature.generate_signature_header``)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp))


def build_event(
    intent: dict[str, Any], event_type: str, event_id: str | None = None, account: str | None = None
) -> dict[str, Any]:
    """A v1 snapshot event of ``event_type`` carrying ``intent``, shaped like Stripe's; ``account``
    (a connected account's id) makes it a Connect event."""
    return event_envelope(intent, event_type, event_id=event_id, account=account)


class Command(BaseCommand):
    """Sign and POST a PaymentIntent event (``--event``) for ``--payment-intent`` to ``--tenant``'s webhook,
    or with ``--account`` to the platform's Connect webhook; ``--confirm`` first pays it on
    localstripe, ``--event-id`` replays an event."""

    help = "Sign and POST a Stripe PaymentIntent event to a tenant's webhook endpoint (development)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", default=None, help="Tenant slug, e.g. school (not with --account).")
        parser.add_argument(
            "--account",
            default=None,
            help="A site's connected Stripe account (acct_...): a Connect event to the platform's Connect webhook.",
        )
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
        slug, account = options["tenant"], options["account"]
        if bool(slug) == bool(account):
            raise CommandError("Give --tenant (the site's own webhook) or --account (the Connect webhook).")
        secret = settings.STRIPE_CONNECT_WEBHOOK_SECRET if account else settings.STRIPE_WEBHOOK_SECRET
        if not secret:
            name = "STRIPE_CONNECT_WEBHOOK_SECRET" if account else "STRIPE_WEBHOOK_SECRET"
            raise CommandError(f"Set {name} (the same value as the server's).")
        intent_id, event_type = options["payment_intent"], options["event"]
        host = settings.PLATFORM_DOMAIN if account else f"{slug}.{settings.PLATFORM_DOMAIN}"
        path = CONNECT_WEBHOOK_PATH if account else WEBHOOK_PATH
        address = options["address"] or ("127.0.0.1" if host.endswith("localhost") else host)
        try:
            if options["confirm"]:
                self._confirm(intent_id, event_type, account)
            intent = stripe_gateway.payment_intent_retrieve(intent_id, stripe_account=account).data
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

        event = build_event(intent, event_type, options["event_id"], account)
        payload = json.dumps(event, indent=2)
        url = f"http://{address}:{options['port']}{path}"
        headers = {
            "Host": f"{host}:{options['port']}",
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(payload, secret, int(time.time())),
        }
        try:
            response = requests.post(url, data=payload.encode(), headers=headers, timeout=15)
        except requests.RequestException as exc:
            raise CommandError(f"could not reach http://{host}:{options['port']}{path}: {exc}") from exc
        self.stdout.write(f"{event['type']} {event['id']} -> http://{host}:{options['port']}{path}")
        self.stdout.write(f"{response.status_code} {response.text}")
        if response.status_code >= 300:
            raise CommandError(f"the webhook answered {response.status_code}")

    def _confirm(self, intent_id: str, event_type: str, account: str | None = None) -> None:
        card = TEST_CARDS.get(event_type)
        if card is None:
            raise CommandError(f"--confirm does not apply to {event_type}")
        client = stripe_gateway.stripe_client()
        method = client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
        )
        options: dict[str, Any] = {"stripe_account": account} if account else {}
        client.v1.payment_intents.update(
            intent_id,
            params={"payment_method": str(method.id)},
            options=options,  # type: ignore[arg-type]
        )
        try:
            client.v1.payment_intents.confirm(intent_id, options=options)  # type: ignore[arg-type]
        except stripe.CardError as exc:
            self.stdout.write(f"card declined as asked: {exc.user_message or exc}")
