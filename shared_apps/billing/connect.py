"""Stripe Connect: each site takes its own clients' card payments on its own Stripe account.

Decision (issue 16, point 5): **Express** accounts and **direct charges**. A site's PaymentIntent
is created on its connected account (the ``Stripe-Account`` header: the SDK's ``stripe_account``
request option) with ``application_fee_amount`` = the plan's ``application_fee_percent`` of the
amount, rounded half up in minor units (``tenant_apps/payments``); the payment's events then
happen on the connected account and reach the platform's Connect webhook with ``account`` set,
which routes them to the tenant by ``BillingAccount.connect_account_id``.

* ``stripe_connection()``: where the current site's card payments go (``saas.billing`` is the
  interface tenant apps call).
* ``connect_onboarding_start`` / ``connect_account_refresh``: the admin's Express onboarding.
* ``connect_event_process``: the Connect webhook (``/api/v1/billing/stripe/connect/webhook/``).

Public tables are reached from a tenant's host through the connection's ``search_path``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from saas.billing import StripeConnection
from saas.db.tenant import current_schema, in_tenant, site_url
from saas.errors import Conflict, ErrorCode
from saas.stripe import stripe_client, stripe_errors, verified_event
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)

#: Where Stripe sends the admin's browser back (tenant host; ``connect_tenant_urls``).
RETURN_PATH = "/api/v1/billing/connect/return/"
#: Where Stripe sends the admin when the onboarding link expired or was used (a new link).
REFRESH_PATH = "/api/v1/billing/connect/refresh/"

ZERO_PERCENT = Decimal("0")


def stripe_connection() -> StripeConnection | None:
    """The current site's Stripe Connect account and the platform's fee, or ``None`` for the
    platform's own account.

    Reads the tenant's ``BillingAccount`` (one query, public schema through the ``search_path``):
    connected and ``connect_charges_enabled`` -> ``StripeConnection(connect_account_id, fee)``,
    the fee being its plan's ``application_fee_percent`` (``Decimal`` 0..100; no plan: 0).
    Otherwise ``STRIPE_CONNECT_PLATFORM_FALLBACK`` on -> ``None`` (the platform's account takes
    the payment); off -> raises ``Conflict`` ``stripe_account_not_connected`` (409).
    """
    found = (
        BillingAccount.objects.filter(tenant__schema_name=current_schema())
        .select_related("plan")
        .only("connect_account_id", "connect_charges_enabled", "plan__application_fee_percent")
        .first()
    )
    if found is not None and found.connect_account_id and found.connect_charges_enabled:
        fee = found.plan.application_fee_percent if found.plan is not None else ZERO_PERCENT
        return StripeConnection(account_id=found.connect_account_id, application_fee_percent=Decimal(fee))
    if settings.STRIPE_CONNECT_PLATFORM_FALLBACK:
        return None
    raise Conflict(
        "This site cannot take card payments yet: its Stripe account is not connected.",
        code=ErrorCode.STRIPE_ACCOUNT_NOT_CONNECTED,
    )


def _billing_account(tenant: Tenant) -> BillingAccount:
    """``tenant``'s billing account, made now if provisioning has not made it (sites older than billing)."""
    account, _ = BillingAccount.objects.get_or_create(tenant=tenant)
    return account


def connect_onboarding_start(
    *, tenant: Tenant, actor: Any, return_path: str = RETURN_PATH, refresh_path: str = REFRESH_PATH
) -> str:
    """The URL of a Stripe Express onboarding link (``account_onboarding``) for ``tenant``'s own
    Stripe account, creating that account the first time.

    Stripe sends the admin's browser to ``return_path`` when onboarding is done and to
    ``refresh_path`` when the link expired, both on the site's own host (``site_url``: only a path
    is taken, so the link can send nobody elsewhere). A browser carries no bearer token, so a
    front end passes paths of its own pages, which then call ``GET /api/v1/billing/connect/return/``
    or ask for a new link; the defaults are those API endpoints, for API clients.

    The account is created once: under ``account_lock`` (a second admin clicking at the same time
    waits and finds the id stored) and with the idempotency key ``connect:account:<tenant uuid>``
    (a retry after a lost answer gets the same account back); metadata ``{tenant, tenant_uuid}``.
    The link's ``refresh_url`` and ``return_url`` are on the site's own host (``site_url``):
    ``REFRESH_PATH`` and ``RETURN_PATH``. A link is single-use and short-lived: ask again for a new one.

    Raises ``saas.stripe`` errors: ``payments_unavailable`` (503), ``payment_provider_error`` (502),
    ``payment_provider_rejected`` (400).
    """
    client = stripe_client()
    _billing_account(tenant)
    with transaction.atomic():
        account = account_lock(tenant.pk)
        if not account.connect_account_id:
            with stripe_errors():
                created = client.v1.accounts.create(
                    params={
                        "type": "express",
                        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
                        "metadata": {"tenant": tenant.schema_name, "tenant_uuid": str(tenant.uuid)},
                    },
                    options={"idempotency_key": f"connect:account:{tenant.uuid}"},
                )
            account.connect_account_id = str(created.id)
            account.save(update_fields=["connect_account_id", "updated_at"])
            logger.info(
                "Stripe Connect account %s created for %s by user %s",
                account.connect_account_id,
                tenant.schema_name,
                getattr(actor, "pk", None),
            )
        account_id = account.connect_account_id
    with stripe_errors():
        link = client.v1.account_links.create(
            params={
                "account": account_id,
                "type": "account_onboarding",
                "refresh_url": site_url(refresh_path, tenant),
                "return_url": site_url(return_path, tenant),
            }
        )
    return str(link.url)


def connect_account_refresh(*, tenant: Tenant) -> BillingAccount:
    """``tenant``'s billing account with ``connect_charges_enabled`` and ``connect_details_submitted``
    as Stripe has them now (``accounts.retrieve``), stored under ``account_lock``. A site that has
    not started onboarding is answered as it is, without calling Stripe.

    Raises ``saas.stripe`` errors (503, 502, 400) as ``connect_onboarding_start``.
    """
    account = _billing_account(tenant)
    if not account.connect_account_id:
        return account
    client = stripe_client()
    with stripe_errors():
        data = client.v1.accounts.retrieve(account.connect_account_id).to_dict()
    with transaction.atomic():
        account = account_lock(tenant.pk)
        if account.connect_account_id == data.get("id"):
            _apply_account_flags(account, data)
    return account


def _apply_account_flags(account: BillingAccount, data: dict[str, Any]) -> bool:
    """Store Stripe's ``charges_enabled`` / ``details_submitted`` of the Account ``data`` on the
    locked ``account``; whether anything changed."""
    charges, details = bool(data.get("charges_enabled")), bool(data.get("details_submitted"))
    if (account.connect_charges_enabled, account.connect_details_submitted) == (charges, details):
        return False
    account.connect_charges_enabled, account.connect_details_submitted = charges, details
    account.save(update_fields=["connect_charges_enabled", "connect_details_submitted", "updated_at"])
    return True


@dataclass(frozen=True)
class ConnectWebhookResult:
    """What the Connect webhook did: ``status`` ``processed``, ``duplicate`` or ``ignored``, and why."""

    status: str
    outcome: str = ""
    event_id: str = ""


def connect_event_process(*, payload: bytes, signature: str | None) -> ConnectWebhookResult:
    """Verify and apply one delivery of the platform's Connect webhook.

    * Signed with ``STRIPE_CONNECT_WEBHOOK_SECRET`` (``saas.stripe.verified_event``: 400
      ``invalid_signature`` / ``invalid_payload``, 503 without the secret).
    * ``account.updated``: the connected account's ``charges_enabled`` / ``details_submitted``
      are stored on the tenant's billing account under ``account_lock``, once per event id
      (``BillingEvent``: a replay is ``duplicate``). The flags are Stripe's state when the event
      was made; the admin's return page reads them again from Stripe.
    * An event with ``account`` set whose object is a PaymentIntent (``payment_intent.succeeded``,
      ``.payment_failed``, ``.canceled``...): routed to the tenant whose ``connect_account_id`` it
      is, and applied there by the payments app (``stripe_event_apply``, in that tenant's schema;
      exactly once by the tenant's ``StripeEvent``). Its ``metadata.tenant_uuid`` must be that
      tenant's uuid: otherwise ``ignored`` / ``tenant_mismatch`` (logged as an error).
    * An unknown account, or anything else: ``ignored`` (200, so Stripe does not retry it).
    """
    event = verified_event(payload=payload, signature=signature, secret=settings.STRIPE_CONNECT_WEBHOOK_SECRET)
    obj: dict[str, Any] = (event.get("data") or {}).get("object") or {}
    event_id, event_type = event["id"], event["type"]
    if event_type == "account.updated" and obj.get("object") == "account":
        return _account_updated(event_id, event_type, obj)
    account_id = event.get("account")
    if not isinstance(account_id, str) or not account_id or obj.get("object") != "payment_intent":
        return ConnectWebhookResult(status="ignored", outcome="not_handled", event_id=event_id)
    tenant = Tenant.objects.filter(billing__connect_account_id=account_id).first()
    if tenant is None:
        logger.warning("Connect event %s names unknown account %s", event_id, account_id)
        return ConnectWebhookResult(status="ignored", outcome="unknown_account", event_id=event_id)
    metadata = obj.get("metadata") or {}
    if str(metadata.get("tenant_uuid") or "") != str(tenant.uuid):
        logger.error(
            "Connect event %s for account %s (tenant %s) carries tenant_uuid %r: ignored",
            event_id,
            account_id,
            tenant.schema_name,
            metadata.get("tenant_uuid"),
        )
        return ConnectWebhookResult(status="ignored", outcome="tenant_mismatch", event_id=event_id)
    from tenant_apps.payments.services import stripe_event_apply

    with in_tenant(tenant):
        result = stripe_event_apply(event=event)
    return ConnectWebhookResult(status=result.status, outcome=result.outcome, event_id=event_id)


def _account_updated(event_id: str, event_type: str, obj: dict[str, Any]) -> ConnectWebhookResult:
    account_id = str(obj.get("id") or "")
    found = BillingAccount.objects.filter(connect_account_id=account_id).values_list("tenant_id", flat=True).first()
    if not account_id or found is None:
        return ConnectWebhookResult(status="ignored", outcome="unknown_account", event_id=event_id)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = BillingEvent.objects.create(
                    event_id=event_id, type=event_type, account=account_id, tenant_id=found, outcome="processing"
                )
        except IntegrityError:
            return ConnectWebhookResult(status="duplicate", event_id=event_id)
        account = account_lock(found)
        changed = _apply_account_flags(account, obj)
        record.outcome = "updated" if changed else "unchanged"
        record.save(update_fields=["outcome"])
    return ConnectWebhookResult(status="processed", outcome=record.outcome, event_id=event_id)
