"""``manage.py billing_test_webhook``: play Stripe's part for the platform's billing webhook.

For development and the README walk-through, where no Stripe dashboard sends events::

    python manage.py billing_test_webhook --tenant school --event customer.subscription.updated --status past_due
    python manage.py billing_test_webhook --tenant school --event invoice.paid
    python manage.py billing_test_webhook --tenant school --event invoice.paid --event-id evt_1  # replay: duplicate

It builds the event's object from the tenant's subscription as Stripe has it (read from
``STRIPE_API_BASE`` when the account has a subscription and Stripe answers), else from the billing
account; ``--status`` sets the subscription's status (``customer.subscription.deleted``: ``canceled``).
It wraps it in an event the way Stripe does (``--created`` Unix seconds, default now: an older one
shows the out-of-order guard), signs it with ``STRIPE_BILLING_WEBHOOK_SECRET`` and POSTs it to
``http://<PLATFORM_DOMAIN>:<port>/api/v1/billing/stripe/webhook/``; ``--in-process`` calls the
endpoint through Django's test client instead (no server needed; the command's own settings).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import requests
import stripe
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from saas.api.errors import ApplicationError
from saas.stripe import event_envelope
from shared_apps.billing.models import BillingAccount
from shared_apps.billing.webhooks import HANDLED_EVENTS, subscription_retrieve

WEBHOOK_PATH = "/api/v1/billing/stripe/webhook/"


def subscription_object(account: BillingAccount, *, status: str | None) -> dict[str, Any]:
    """The account's subscription as a Stripe Subscription dict: read from Stripe when it has one
    and Stripe answers, else built from the account (``status`` overrides the status)."""
    subscription: dict[str, Any] | None = None
    if account.stripe_subscription_id:
        try:
            subscription = subscription_retrieve(account.stripe_subscription_id)
        except ApplicationError:
            subscription = None
    if subscription is None:
        period_end = int(account.current_period_end.timestamp()) if account.current_period_end else None
        price = account.plan.stripe_price_id if account.plan else ""
        subscription = {
            "id": account.stripe_subscription_id or f"sub_test_{account.tenant.schema_name}",
            "object": "subscription",
            "customer": account.stripe_customer_id or None,
            "status": account.status,
            "current_period_end": period_end,
            "trial_end": int(account.trial_end.timestamp()) if account.trial_end else None,
            "cancel_at_period_end": account.cancel_at_period_end,
            "items": {
                "object": "list",
                "data": [{"object": "subscription_item", "price": {"id": price}, "current_period_end": period_end}],
            },
            "metadata": {"tenant": account.tenant.schema_name},
        }
    if status:
        subscription["status"] = status
    return subscription


def event_object(account: BillingAccount, event_type: str, *, status: str | None) -> dict[str, Any]:
    """The ``data.object`` of an event of ``event_type`` about ``account``, shaped like Stripe's."""
    if event_type.startswith("customer.subscription."):
        if event_type.endswith(".deleted") and not status:
            status = "canceled"
        return subscription_object(account, status=status)
    subscription_id = account.stripe_subscription_id or f"sub_test_{account.tenant.schema_name}"
    if event_type.startswith("invoice."):
        paid = event_type != "invoice.payment_failed"
        return {
            "id": f"in_test_{secrets.token_hex(8)}",
            "object": "invoice",
            "customer": account.stripe_customer_id or None,
            "subscription": subscription_id,
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": subscription_id}},
            "status": "paid" if paid else "open",
            "paid": paid,
            "metadata": {},
        }
    return {
        "id": f"cs_test_{secrets.token_hex(8)}",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "customer": account.stripe_customer_id or None,
        "subscription": subscription_id,
        "metadata": {"tenant": account.tenant.schema_name},
    }


class Command(BaseCommand):
    """Sign and deliver a billing event (``--event``) about ``--tenant``'s subscription to the
    platform's billing webhook (see the module docstring)."""

    help = "Sign and POST a Stripe billing event about a tenant's subscription to the platform webhook (development)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="Tenant slug, e.g. school.")
        parser.add_argument("--event", required=True, choices=sorted(HANDLED_EVENTS), help="Event type.")
        parser.add_argument("--status", default=None, help="The subscription's status in the event (e.g. past_due).")
        parser.add_argument("--event-id", default=None, help="Reuse an event id (to show that replays are no-ops).")
        parser.add_argument("--created", type=int, default=None, help="The event's created time, Unix seconds.")
        parser.add_argument("--port", default="8000", help="Port of the running server.")
        parser.add_argument("--address", default="127.0.0.1", help="Address of the running server.")
        parser.add_argument(
            "--in-process", action="store_true", help="Call the endpoint through Django's test client (no server)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = settings.STRIPE_BILLING_WEBHOOK_SECRET
        if not secret:
            raise CommandError("Set STRIPE_BILLING_WEBHOOK_SECRET (the same value as the server's).")
        account = (
            BillingAccount.objects.select_related("tenant", "plan")
            .filter(tenant__schema_name=options["tenant"])
            .first()
        )
        if account is None:
            raise CommandError(f"{options['tenant']!r} has no billing account")
        event = event_envelope(
            event_object(account, options["event"], status=options["status"]),
            options["event"],
            event_id=options["event_id"],
            created=options["created"],
        )
        payload = json.dumps(event, indent=2, default=str)  # the SDK gives Decimals
        signature = stripe.WebhookSignature.generate_signature_header(payload, secret, int(time.time()))
        host = settings.PLATFORM_DOMAIN
        if options["in_process"]:
            from django.test import Client

            response = Client(HTTP_HOST=host).post(
                WEBHOOK_PATH, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
            )
            status_code, text = response.status_code, response.content.decode()
            target = f"{host}{WEBHOOK_PATH} (in process)"
        else:
            url = f"http://{options['address']}:{options['port']}{WEBHOOK_PATH}"
            headers = {
                "Host": f"{host}:{options['port']}",
                "Content-Type": "application/json",
                "Stripe-Signature": signature,
            }
            try:
                posted = requests.post(url, data=payload.encode(), headers=headers, timeout=15)
            except requests.RequestException as exc:
                raise CommandError(f"could not reach {url}: {exc}") from exc
            status_code, text = posted.status_code, posted.text
            target = f"http://{host}:{options['port']}{WEBHOOK_PATH}"
        self.stdout.write(f"{event['type']} {event['id']} -> {target}")
        self.stdout.write(f"{status_code} {text}")
        if status_code >= 300:
            raise CommandError(f"the webhook answered {status_code}")
