"""Row locks of the billing tables (public schema); see docs/architecture.md for the order.

A tenant's ``BillingAccount`` is changed under ``account_lock`` (its subscription's state, its
dunning, its Stripe Connect account), taken alone or after the platform's tenant row.
"""

from __future__ import annotations

from shared_apps.billing.models import BillingAccount


def account_lock(tenant_id: int) -> BillingAccount:
    """The billing account of the tenant ``tenant_id`` locked (``SELECT ... FOR UPDATE``) until the
    transaction ends; raises ``BillingAccount.DoesNotExist`` when the tenant has none."""
    return BillingAccount.objects.select_for_update().get(tenant_id=tenant_id)
