"""Billing's background work: Stripe calls made after a commit, never inside a request, and the
hourly dunning sweep.

The two Stripe tasks retry with exponential backoff (10 s, doubling to 10 min, jittered;
``MAX_RETRIES`` times) while Stripe is unreachable or failing (``payment_provider_error``); any other error (a
refused request, a missing key) is final. They touch public tables only, by id, so they run the
same sent from the platform host or from a tenant's.

``dunning_sweep_task`` is declared in ``CELERY_BEAT_SCHEDULE`` with ``"public": True``
(``billing-dunning-sweep``): beat sends it once, in the public schema
(``shared_apps/tenancy/beat.py``). Sent to a tenant's schema by hand, it does nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from saas.db.tenant import current_schema, enqueue_now
from saas.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

#: Tries after the first before a task gives up (the account keeps ``sync_error``).
MAX_RETRIES = 6


class StripeUnavailable(Exception):
    """Stripe could not be reached or failed (``payment_provider_error``): worth retrying."""


def _retryable(call: Any, **kwargs: Any) -> Any:
    try:
        return call(**kwargs)
    except ApplicationError as exc:
        if exc.code == ErrorCode.PAYMENT_PROVIDER_ERROR:
            raise StripeUnavailable(exc.message) from exc
        raise


@shared_task(
    acks_late=True,
    autoretry_for=(StripeUnavailable,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def plan_stripe_sync_task(plan_id: int) -> str:
    """Sync plan ``plan_id`` to its Stripe Product and Price (``services.plan_stripe_sync``);
    returns the plan's Stripe price id (``""`` when nothing was done)."""
    from shared_apps.billing.services import plan_stripe_sync

    plan = _retryable(plan_stripe_sync, plan_id=plan_id)
    return str(plan.stripe_price_id) if plan is not None else ""


@shared_task(
    acks_late=True,
    autoretry_for=(StripeUnavailable,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def billing_account_sync_task(tenant_id: int) -> str:
    """Create or update tenant ``tenant_id``'s Stripe Customer and Subscription
    (``services.billing_account_sync``); returns the account's status (``""`` when nothing was done)."""
    from shared_apps.billing.services import billing_account_sync

    account = _retryable(billing_account_sync, tenant_id=tenant_id)
    return str(account.status) if account is not None else ""


@shared_task(acks_late=True)
def billing_accounts_resync_task() -> int:
    """Send ``billing_account_sync_task`` again for every account Stripe is not in step with (a
    plan but no subscription yet, or a last sync that failed: ``selectors``-style read in
    ``services.billing_accounts_out_of_sync``), so an outage longer than the task's own retries
    heals by itself. Hourly, in the public schema (beat entry ``billing-accounts-resync``); returns
    how many were sent (0 outside the public schema or without ``STRIPE_SECRET_KEY``)."""
    from django.conf import settings

    from saas.stripe import payments_enabled
    from shared_apps.billing.services import billing_accounts_out_of_sync

    if current_schema() != settings.PUBLIC_SCHEMA_NAME or not payments_enabled():
        return 0
    tenant_ids = list(billing_accounts_out_of_sync().values_list("tenant_id", flat=True))
    for tenant_id in tenant_ids:  # through the outbox: a broker failure leaves the rest to the relay
        enqueue_now(billing_account_sync_task, tenant_id)
    return len(tenant_ids)


@shared_task(acks_late=True)
def dunning_sweep_task() -> dict[str, int]:
    """Run ``dunning.dunning_sweep``; returns ``{"suspended", "reminded"}``, both 0 outside the public schema."""
    from django.conf import settings

    if current_schema() != settings.PUBLIC_SCHEMA_NAME:
        return {"suspended": 0, "reminded": 0}
    from shared_apps.billing.dunning import dunning_sweep

    report = dunning_sweep()
    logger.info("dunning sweep: %s", report)
    return {"suspended": report.suspended, "reminded": report.reminded}
