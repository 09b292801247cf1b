"""A Stripe Subscription applied to a tenant's billing account, and the dunning its status drives.

``subscription_apply`` is the one writer of a subscription's state: the billing webhook
(``webhooks.py``) calls it for ``customer.subscription.*`` events, the subscription service after
creating or changing a subscription (a fresh API read, ``at=None``). ``payment_apply`` is the
webhook's ``invoice.paid`` path.

Status -> dunning (Stripe's statuses, https://docs.stripe.com/billing/subscriptions/overview):

* ``past_due``: the grace period starts (``past_due_since`` = now, ``grace_ends_at`` = now +
  ``BILLING_GRACE_DAYS``, unless already running) and the admins are told (``emails.admins_notify``);
  ``dunning.dunning_sweep`` suspends the site when it ends;
* ``active`` / ``trialing``: the grace period ends and a billing suspension is lifted
  (``Tenant.billing_suspended_at = None``; the admins are told);
* ``canceled`` / ``unpaid`` / ``incomplete_expired``: the site is billing-suspended at once;
* ``incomplete``, ``paused``: recorded, nothing else changes.

Billing suspension is distinct from staff's (``Tenant.status``): neither lifts the other.

Out of order: ``at`` is the event's ``created`` time; an event older than ``stripe_state_at`` (the
newest applied) changes nothing. Events of the same second all apply (Stripe's ``created`` has
one-second resolution). A fresh API read (``at=None``) always applies and counts as the current
second (truncated: an event of that same second, which may be newer than the read, still applies).

Locks: the tenant row (``tenancy.locks.tenant_lock``), then the account (``locks.account_lock``).
Saving the tenant forgets its cached host lookups (``tenancy.signals``), so the middleware sees
the suspension at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shared_apps.billing.emails import admins_notify
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount, Plan, SubscriptionStatus
from shared_apps.tenancy.locks import tenant_lock
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)

#: Statuses in which the site is open and no payment is owed.
GOOD_STANDING = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})
#: Statuses that suspend the site at once.
SUSPENDING = frozenset({SubscriptionStatus.CANCELED, SubscriptionStatus.UNPAID, SubscriptionStatus.INCOMPLETE_EXPIRED})


def _timestamp(value: Any) -> datetime | None:
    """A Stripe timestamp (Unix seconds) as an aware UTC datetime; ``None`` for null/absent."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _first_item(subscription: dict[str, Any]) -> dict[str, Any]:
    items = subscription.get("items")
    data = items.get("data") if isinstance(items, dict) else None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return {}


def _price_id(item: dict[str, Any]) -> str:
    for key in ("price", "plan"):
        obj = item.get(key)
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            return str(obj["id"])
        if isinstance(obj, str):
            return obj
    return ""


def grace_days() -> int:
    """Days of grace between a failed payment and suspension (``BILLING_GRACE_DAYS``, at least 0)."""
    return max(int(settings.BILLING_GRACE_DAYS), 0)


def subscription_apply(*, account: BillingAccount, subscription: dict[str, Any], at: datetime | None) -> bool:
    """Apply the Stripe Subscription ``subscription`` (a dict as Stripe sends it) to ``account``.

    Sets the subscription id (and the customer id when the account has none), ``status``,
    ``current_period_end`` (from the first item, where API versions from 2025-03-31 put it, else
    from the subscription), ``trial_end``,
    ``cancel_at_period_end`` and the plan whose ``stripe_price_id`` is the first item's price (or
    legacy plan) id; an unknown price leaves the plan as it is and logs a warning. Then starts or
    ends the grace period and the billing suspension as the status requires (module docstring).

    ``at`` (aware) is the event's ``created`` time, ``None`` for a fresh API read. Returns
    ``False``, changing nothing, when ``at`` is older than ``account.stripe_state_at``; ``True``
    otherwise; ``False`` too for the end (cancelled, ...) of a subscription other than the one the
    account holds, which replaced it. An unknown status is recorded as nothing: returns ``False`` and logs a warning.
    ``account`` is refreshed from the locked row.
    """
    status = subscription.get("status")
    if status not in SubscriptionStatus.values or status == SubscriptionStatus.PENDING:
        logger.warning("subscription %s has an unknown status %r", subscription.get("id"), status)
        return False
    now = timezone.now()
    with transaction.atomic():
        tenant = tenant_lock(account.tenant_id)
        locked = account_lock(account.tenant_id)
        if at is not None and locked.stripe_state_at is not None and at < locked.stripe_state_at:
            _refresh(account, locked)
            return False
        incoming = subscription.get("id")
        if (
            status in SUSPENDING
            and locked.stripe_subscription_id
            and isinstance(incoming, str)
            and incoming != locked.stripe_subscription_id
        ):
            # The end of a subscription the account no longer holds (replaced by a new one).
            _refresh(account, locked)
            return False
        item = _first_item(subscription)
        if isinstance(subscription.get("id"), str):
            locked.stripe_subscription_id = subscription["id"]
        customer = subscription.get("customer")
        customer_id = customer.get("id") if isinstance(customer, dict) else customer
        if isinstance(customer_id, str) and customer_id and not locked.stripe_customer_id:
            locked.stripe_customer_id = customer_id  # a customer once set is the account's for good
        period_end = item.get("current_period_end", subscription.get("current_period_end"))
        locked.current_period_end = _timestamp(period_end)
        locked.trial_end = _timestamp(subscription.get("trial_end"))
        locked.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        price_id = _price_id(item)
        if price_id:
            plan = Plan.objects.filter(stripe_price_id=price_id).first()
            if plan is None:
                logger.warning(
                    "subscription %s of %s is on price %s, which no plan has: plan unchanged",
                    subscription.get("id"),
                    tenant.schema_name,
                    price_id,
                )
            else:
                locked.plan = plan
        _enter_status(tenant, locked, SubscriptionStatus(status), now)
        locked.stripe_state_at = max(filter(None, [locked.stripe_state_at, at or now.replace(microsecond=0)]))
        locked.sync_error = ""
        locked.save()
    _refresh(account, locked)
    return True


def payment_apply(*, account: BillingAccount, subscription_id: str, at: datetime | None) -> bool:
    """A paid invoice of subscription ``subscription_id`` (``invoice.paid``): when it is the
    account's subscription and the account is ``past_due``/``unpaid`` or billing-suspended, the
    subscription is ``active`` again and the site resumes (grace cleared, suspension lifted, the
    admins told). Guarded by ``at`` as ``subscription_apply``. Returns whether anything changed.
    A cancelled subscription is not revived by a late invoice (a new subscription is needed).
    """
    now = timezone.now()
    with transaction.atomic():
        tenant = tenant_lock(account.tenant_id)
        locked = account_lock(account.tenant_id)
        if at is not None and locked.stripe_state_at is not None and at < locked.stripe_state_at:
            _refresh(account, locked)
            return False
        if not subscription_id or subscription_id != locked.stripe_subscription_id:
            _refresh(account, locked)
            return False
        owing = locked.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID)
        suspended = tenant.billing_suspended_at is not None and locked.status != SubscriptionStatus.CANCELED
        if not (owing or suspended):
            _refresh(account, locked)
            return False
        _enter_status(tenant, locked, SubscriptionStatus.ACTIVE, now)
        locked.stripe_state_at = max(filter(None, [locked.stripe_state_at, at or now.replace(microsecond=0)]))
        locked.save()
    _refresh(account, locked)
    return True


def _enter_status(tenant: Tenant, account: BillingAccount, status: SubscriptionStatus, now: datetime) -> None:
    """Set ``account.status`` and do the dunning it requires (both rows locked by the caller)."""
    account.status = status
    if status == SubscriptionStatus.PAST_DUE:
        if account.grace_ends_at is None:
            account.past_due_since = now
            account.grace_ends_at = now + timedelta(days=grace_days())
            account.grace_reminded_at = None
            if tenant.billing_suspended_at is None:
                admins_notify(tenant=tenant, verb="billing.past_due", grace_ends_at=account.grace_ends_at)
    elif status in GOOD_STANDING:
        account.past_due_since = None
        account.grace_ends_at = None
        account.grace_reminded_at = None
        if tenant.billing_suspended_at is not None:
            billing_suspension_set(tenant, None)
            admins_notify(tenant=tenant, verb="billing.resumed")
    elif status in SUSPENDING:
        account.grace_ends_at = None
        if tenant.billing_suspended_at is None:
            billing_suspension_set(tenant, now)
            admins_notify(tenant=tenant, verb="billing.suspended", reason=str(status))


def billing_suspension_set(tenant: Tenant, at: datetime | None) -> None:
    """Set (``at``) or lift (``None``) the billing suspension of ``tenant`` (locked by the caller),
    saved so that every process's host cache forgets the tenant (``tenancy.signals``)."""
    tenant.billing_suspended_at = at
    tenant.save(update_fields=["billing_suspended_at", "updated_at"])
    logger.info("tenant %s billing suspension %s", tenant.schema_name, "set" if at else "lifted")


def _refresh(account: BillingAccount, locked: BillingAccount) -> None:
    for field in BillingAccount._meta.concrete_fields:
        setattr(account, field.attname, getattr(locked, field.attname))
