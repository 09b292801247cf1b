"""The platform's billing webhook: Stripe's events about tenants' subscriptions, applied once each.

``billing_event_process(payload=, signature=)`` verifies the delivery (``STRIPE_BILLING_WEBHOOK_SECRET``,
``saas.stripe.verified_event``), finds the billing account it is about (by subscription id, else
customer id; none -> ``ignored``, nothing written) and applies it in one transaction with the
``BillingEvent`` row of its id: a second delivery of the same event, even concurrent, finds the row
(or waits for it and hits the unique index) and is a ``duplicate`` that changes nothing.

Events (https://docs.stripe.com/billing/subscriptions/webhooks):

* ``customer.subscription.created`` / ``.updated`` / ``.deleted``: ``sync.subscription_apply`` with
  ``at`` = the event's ``created`` (outcome ``applied`` or ``stale`` when older than the state held);
* ``invoice.paid`` / ``invoice.payment_succeeded``: ``sync.payment_apply``: an account owing or
  billing-suspended whose subscription the invoice is of becomes ``active`` and its site resumes
  (``resumed``; ``no_change`` otherwise);
* ``invoice.payment_failed``: when the invoice carries its subscription expanded, that is applied;
  otherwise ``noted`` (the ``customer.subscription.updated`` to ``past_due`` that Stripe sends with
  it starts the grace period);
* ``checkout.session.completed``: a session in ``subscription`` mode names its subscription, which
  is read from Stripe and applied (``applied``); one in ``setup`` mode (the billing page's
  upgrade, ``services.billing_checkout_start``) is handed to ``services.billing_checkout_completed``
  (the card saved becomes the default, the plan chosen applies: ``plan_changed``, or ``not_ours``);
  others are ``noted``;
* other types: ``ignored`` (recorded).

Errors (``ApplicationError``): 400 ``invalid_signature`` / ``invalid_payload``, 503
``payments_unavailable`` without the secret; a Stripe read that fails (checkout) is 502 and nothing
is recorded, so Stripe's retry applies it later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from saas.stripe import verified_event
from shared_apps.billing import sync
from shared_apps.billing.models import BillingAccount, BillingEvent

logger = logging.getLogger(__name__)

SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
PAID_EVENTS = frozenset({"invoice.paid", "invoice.payment_succeeded"})
FAILED_EVENTS = frozenset({"invoice.payment_failed"})
CHECKOUT_EVENTS = frozenset({"checkout.session.completed"})
HANDLED_EVENTS = SUBSCRIPTION_EVENTS | PAID_EVENTS | FAILED_EVENTS | CHECKOUT_EVENTS


@dataclass(frozen=True)
class BillingWebhookResult:
    """What one delivery did: ``status`` ``processed`` | ``duplicate`` | ``ignored``, and the outcome."""

    status: str
    event_id: str
    outcome: str = ""


def _id_of(value: Any) -> str:
    """A Stripe reference: the id string, or the ``id`` of an expanded object; ``""`` otherwise."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def invoice_subscription_id(invoice: dict[str, Any]) -> str:
    """The subscription an invoice is of: ``subscription`` (API versions before 2025-03-31) or
    ``parent.subscription_details.subscription`` (newer); ``""`` for a one-off invoice."""
    found = _id_of(invoice.get("subscription"))
    if found:
        return found
    parent = invoice.get("parent")
    details = parent.get("subscription_details") if isinstance(parent, dict) else None
    return _id_of(details.get("subscription")) if isinstance(details, dict) else ""


def _references(event_type: str, obj: dict[str, Any]) -> tuple[str, str]:
    """``(subscription id, customer id)`` the event's object names."""
    customer = _id_of(obj.get("customer"))
    if event_type in SUBSCRIPTION_EVENTS:
        return _id_of(obj), customer
    if event_type in PAID_EVENTS | FAILED_EVENTS:
        return invoice_subscription_id(obj), customer
    return _id_of(obj.get("subscription")), customer


def account_for(*, subscription_id: str, customer_id: str) -> BillingAccount | None:
    """The billing account holding ``subscription_id``, else the one of ``customer_id``, else ``None``."""
    if not subscription_id and not customer_id:
        return None
    query = Q()
    if subscription_id:
        query |= Q(stripe_subscription_id=subscription_id)
    if customer_id:
        query |= Q(stripe_customer_id=customer_id)
    accounts = list(BillingAccount.objects.filter(query).select_related("tenant")[:2])
    for account in accounts:
        if subscription_id and account.stripe_subscription_id == subscription_id:
            return account
    return accounts[0] if accounts else None


def subscription_retrieve(subscription_id: str) -> dict[str, Any]:
    """The Stripe Subscription ``subscription_id`` as a dict (``gateway.subscription_retrieve``);
    raises ``ApplicationError`` as ``saas.stripe.stripe_errors`` (502 when Stripe cannot be read)."""
    from shared_apps.billing.gateway import subscription_retrieve as retrieve

    return retrieve(subscription_id=subscription_id)


def billing_event_process(*, payload: bytes, signature: str | None) -> BillingWebhookResult:
    """Verify and apply one delivery to the billing webhook, exactly once per event id (see the
    module docstring for the events, outcomes and errors)."""
    event = verified_event(payload=payload, signature=signature, secret=settings.STRIPE_BILLING_WEBHOOK_SECRET)
    event_id, event_type = event["id"], event["type"]
    obj: dict[str, Any] = event["data"]["object"]
    if event_type not in HANDLED_EVENTS:
        return BillingWebhookResult(status="ignored", event_id=event_id, outcome="unhandled_type")
    subscription_id, customer_id = _references(event_type, obj)
    account = account_for(subscription_id=subscription_id, customer_id=customer_id)
    if account is None:
        return BillingWebhookResult(status="ignored", event_id=event_id, outcome="unknown_account")
    created = event.get("created")
    at = datetime.fromtimestamp(created, tz=UTC) if isinstance(created, int) and not isinstance(created, bool) else None
    # A checkout's subscription is read before the transaction: no Stripe call holds a lock.
    fresh = subscription_retrieve(subscription_id) if event_type in CHECKOUT_EVENTS and subscription_id else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = BillingEvent.objects.create(
                    event_id=event_id, type=event_type, tenant_id=account.tenant_id, outcome="processing"
                )
        except IntegrityError:
            return BillingWebhookResult(status="duplicate", event_id=event_id)
        outcome = _apply(event_type, obj, account, subscription_id, at, fresh)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    logger.info("billing event %s %s for %s: %s", event_type, event_id, account.tenant.schema_name, outcome)
    return BillingWebhookResult(status="processed", event_id=event_id, outcome=outcome)


def _apply(
    event_type: str,
    obj: dict[str, Any],
    account: BillingAccount,
    subscription_id: str,
    at: datetime | None,
    fresh: dict[str, Any] | None,
) -> str:
    if event_type in SUBSCRIPTION_EVENTS:
        return "applied" if sync.subscription_apply(account=account, subscription=obj, at=at) else "stale"
    if event_type in PAID_EVENTS:
        return "resumed" if sync.payment_apply(account=account, subscription_id=subscription_id, at=at) else "no_change"
    if event_type in FAILED_EVENTS:
        expanded = obj.get("subscription")
        if isinstance(expanded, dict) and expanded.get("status"):
            return "applied" if sync.subscription_apply(account=account, subscription=expanded, at=at) else "stale"
        return "noted"
    if fresh is not None:
        return "applied" if sync.subscription_apply(account=account, subscription=fresh, at=None) else "stale"
    if obj.get("mode") == "setup":
        from shared_apps.billing.services import billing_checkout_completed

        return "plan_changed" if billing_checkout_completed(session=obj) else "not_ours"
    return "noted"
