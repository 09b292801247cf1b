"""Row locks of the billing tables (public schema); see docs/architecture.md for the order.

``account_lock`` is taken alone (no tenancy or tenant-schema lock is held with it): a plan
change, the Stripe sync after provisioning, and applying a Stripe subscription all run under it.
"""

from __future__ import annotations

from shared_apps.billing.models import BillingAccount


def account_lock(tenant_id: int) -> BillingAccount:
    """The billing account of tenant ``tenant_id`` locked (``SELECT ... FOR UPDATE``), its plan
    loaded; raises ``BillingAccount.DoesNotExist``."""
    return BillingAccount.objects.select_for_update(of=("self",)).select_related("plan").get(tenant_id=tenant_id)
