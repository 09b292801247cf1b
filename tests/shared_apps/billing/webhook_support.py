"""Helpers of the billing webhook and dunning tests: a tenant's billing account, Stripe-shaped
subscriptions and events, and delivery to ``POST /api/v1/billing/stripe/webhook/`` on the platform host.

Kept out of a conftest (other billing test modules have their own); imported by the test modules.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.test import TestCase
from rest_framework.test import APIClient

from shared_apps.billing.dunning import DunningReport, dunning_sweep
from shared_apps.billing.models import BillingAccount, Plan, SubscriptionStatus
from shared_apps.tenancy.models import Tenant
from tests.conftest import PLATFORM_HOST
from tests.factories.billing import PlanFactory

SECRET = "whsec_test_billing_secret"
WEBHOOK = "/api/v1/billing/stripe/webhook/"


def plan(code: str = "pro", price_id: str = "price_pro") -> Plan:
    """The plan ``code`` (made at 29.00 USD the first time), sold as the Stripe price ``price_id``."""
    found = Plan.objects.filter(code=code).first()
    if found is None:
        return PlanFactory(code=code, price=Decimal("29.00"), stripe_price_id=price_id)
    if found.stripe_price_id != price_id:
        Plan.objects.filter(pk=found.pk).update(stripe_price_id=price_id)
        found.refresh_from_db()
    return found


def account_of(tenant: Tenant, **fields: Any) -> BillingAccount:
    """``tenant``'s billing account (made or reset): customer ``cus_<slug>``, subscription
    ``sub_<slug>``, active, no Stripe event applied yet; ``fields`` override."""
    defaults: dict[str, Any] = {
        "stripe_customer_id": f"cus_{tenant.schema_name}",
        "stripe_subscription_id": f"sub_{tenant.schema_name}",
        "status": SubscriptionStatus.ACTIVE,
        "stripe_state_at": None,
        "past_due_since": None,
        "grace_ends_at": None,
        "grace_reminded_at": None,
        **fields,
    }
    account, _ = BillingAccount.objects.update_or_create(tenant=tenant, defaults=defaults)
    return account


def subscription(
    tenant: Tenant,
    status: str,
    *,
    price_id: str = "price_pro",
    period_end: int = 1_900_000_000,
    on_item: bool = True,
    **fields: Any,
) -> dict[str, Any]:
    """A Stripe Subscription of ``tenant`` (``sub_<slug>`` of ``cus_<slug>``); ``period_end`` on the
    item (API versions from 2025-03-31) or, with ``on_item=False``, on the subscription (older)."""
    item: dict[str, Any] = {"id": "si_1", "object": "subscription_item", "price": {"id": price_id, "object": "price"}}
    obj: dict[str, Any] = {
        "id": f"sub_{tenant.schema_name}",
        "object": "subscription",
        "customer": f"cus_{tenant.schema_name}",
        "status": status,
        "trial_end": None,
        "cancel_at_period_end": False,
        "items": {"object": "list", "data": [item]},
        "metadata": {},
    }
    if on_item:
        item["current_period_end"] = period_end
    else:
        obj["current_period_end"] = period_end
    obj.update(fields)
    return obj


def invoice(tenant: Tenant, *, subscription_id: str | None = None, new_api: bool = False) -> dict[str, Any]:
    """A paid Stripe Invoice of ``tenant``'s subscription (``parent.subscription_details`` with ``new_api``)."""
    sub = subscription_id or f"sub_{tenant.schema_name}"
    obj: dict[str, Any] = {
        "id": f"in_{secrets.token_hex(6)}",
        "object": "invoice",
        "customer": f"cus_{tenant.schema_name}",
        "status": "paid",
        "metadata": {},
    }
    if new_api:
        obj["parent"] = {"type": "subscription_details", "subscription_details": {"subscription": sub}}
    else:
        obj["subscription"] = sub
    return obj


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """A Stripe event of ``event_type`` carrying ``obj``, created at ``created`` (Unix seconds; now)."""
    return {
        "id": event_id or f"evt_{secrets.token_hex(10)}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
    }


def at(created: int) -> datetime:
    return datetime.fromtimestamp(created, tz=UTC)


def sign(payload: str, *, secret: str = SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (the Stripe SDK's, v1 scheme; now by default)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp))


def deliver(
    body: dict[str, Any] | None = None,
    *,
    payload: str | None = None,
    signature: str | None = None,
    host: str = PLATFORM_HOST,
) -> Any:
    """POST ``body`` (or the raw ``payload``) signed (or with ``signature``; ``""`` for none) to the
    webhook; what it defers to its commit (e-mails, notifications' pushes) runs as it would."""
    raw = payload if payload is not None else json.dumps(body)
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(raw)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return APIClient(HTTP_HOST=host).generic(
            "POST", WEBHOOK, raw, content_type="application/json", secure=False, **headers
        )


def sweep() -> DunningReport:
    """Run the dunning sweep; its e-mails leave as after a commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return dunning_sweep()
