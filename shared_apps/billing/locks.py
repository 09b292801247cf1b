"""Row locks of the billing tables (public schema); see docs/architecture.md for the order.

A tenant's row (``shared_apps.tenancy.locks.tenant_lock``) first, then its billing account.
"""

from __future__ import annotations

from shared_apps.billing.models import BillingAccount


def account_lock(tenant_id: int) -> BillingAccount:
    """The billing account of tenant ``tenant_id`` locked (``SELECT ... FOR NO KEY UPDATE``); raises
    ``BillingAccount.DoesNotExist``."""
    return BillingAccount.objects.select_for_update(no_key=True).get(tenant_id=tenant_id)
