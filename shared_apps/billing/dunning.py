"""The dunning sweep: a grace period that ran out suspends the site; one about to run out is
announced to the admins, once.

Hourly (``tasks.dunning_sweep_task``, a public-schema beat entry ``billing-dunning-sweep``) and by
hand (``manage.py billing_dunning_sweep``). The grace period itself starts and ends with the
subscription's status (``sync.py``).

Each account is its own transaction under the tenant's lock, then the account's (plain
``SELECT ... FOR NO KEY UPDATE``, not SKIP LOCKED: a webhook holding them for a payment finishes first,
and the sweep then re-reads and sees the account paid), so a sweep and a payment for one account
end consistently: a payment committed first leaves nothing to suspend; a suspension committed
first is lifted by the payment. Running it twice changes nothing more (idempotent).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shared_apps.billing.emails import admins_notify
from shared_apps.billing.locks import account_lock
from shared_apps.billing.models import BillingAccount, SubscriptionStatus
from shared_apps.billing.sync import billing_suspension_set
from shared_apps.tenancy.locks import tenant_lock
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)

#: How long before the end of the grace period the admins get the last reminder.
REMINDER_BEFORE = timedelta(days=1)


@dataclass
class DunningReport:
    """What one sweep did: accounts suspended, reminders sent."""

    suspended: int = 0
    reminded: int = 0


def dunning_sweep(*, now: datetime | None = None) -> DunningReport:
    """Suspend every site whose grace period has ended (``past_due`` and ``grace_ends_at`` <= now:
    ``Tenant.billing_suspended_at`` set, admins e-mailed ``billing.suspended``), and remind the
    admins of a site with a day or less of grace left (``billing.grace_ending``, once per grace
    period: ``grace_reminded_at``). ``now`` (aware) defaults to the current time. A failure of one
    account is logged and the sweep goes on.
    """
    now = now or timezone.now()
    due = (
        BillingAccount.objects.filter(
            status=SubscriptionStatus.PAST_DUE,
            grace_ends_at__isnull=False,
            tenant__billing_suspended_at__isnull=True,
        )
        .filter(Q(grace_ends_at__lte=now) | Q(grace_ends_at__lte=now + REMINDER_BEFORE, grace_reminded_at__isnull=True))
        .order_by("tenant_id")
        .values_list("tenant_id", flat=True)
    )
    report = DunningReport()
    for tenant_id in list(due):
        try:
            change = _sweep_one(tenant_id, now)
        except Exception:
            logger.exception("dunning of tenant %s failed", tenant_id)
            continue
        report.suspended += change == "suspended"
        report.reminded += change == "reminded"
    return report


def _sweep_one(tenant_id: int, now: datetime) -> str | None:
    with transaction.atomic():
        try:
            tenant = tenant_lock(tenant_id)
            account = account_lock(tenant_id)
        except (Tenant.DoesNotExist, BillingAccount.DoesNotExist):
            return None  # deleted meanwhile
        if (
            account.status != SubscriptionStatus.PAST_DUE
            or account.grace_ends_at is None
            or tenant.billing_suspended_at is not None
        ):
            return None  # paid, cancelled or suspended meanwhile
        if account.grace_ends_at <= now:
            billing_suspension_set(tenant, now)
            admins_notify(tenant=tenant, verb="billing.suspended", reason=SubscriptionStatus.PAST_DUE)
            return "suspended"
        if account.grace_reminded_at is None and account.grace_ends_at <= now + REMINDER_BEFORE:
            account.grace_reminded_at = now
            account.save(update_fields=["grace_reminded_at", "updated_at"])
            admins_notify(tenant=tenant, verb="billing.grace_ending", grace_ends_at=account.grace_ends_at)
            return "reminded"
    return None


def grace_end_now(*, tenant: Tenant, now: datetime | None = None) -> bool:
    """End the grace period of ``tenant`` now (staff, or a walk-through that cannot wait days):
    ``grace_ends_at`` = now when the account is ``past_due``; the next sweep suspends the site.
    Returns whether there was a grace period to end."""
    now = now or timezone.now()
    with transaction.atomic():
        locked_tenant = tenant_lock(tenant.pk)
        account = account_lock(locked_tenant.pk)
        if account.status != SubscriptionStatus.PAST_DUE or account.grace_ends_at is None:
            return False
        account.grace_ends_at = min(account.grace_ends_at, now)
        account.save(update_fields=["grace_ends_at", "updated_at"])
    return True
