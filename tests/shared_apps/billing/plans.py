"""Plans in tests: a ``Plan`` with the given limits attached to a tenant's ``BillingAccount``.

Session tenants have no billing account (provisioning does not make one yet): ``plan_for`` makes
or updates it inside the test's rolled-back transaction.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant

_codes = itertools.count(1)


def plan_for(tenant: Tenant, **limits: Any) -> Plan:
    """A new free plan with ``limits`` (``{name: int | None}``) made ``tenant``'s plan."""
    plan = Plan.objects.create(
        code=f"test-plan-{next(_codes)}", name="Test plan", price=Decimal("0"), currency="usd", limits=limits
    )
    BillingAccount.objects.update_or_create(tenant=tenant, defaults={"plan": plan})
    return plan


def set_limits(plan: Plan, **limits: Any) -> None:
    """Change ``plan``'s limits (an upgrade or a downgrade)."""
    plan.limits = limits
    plan.save(update_fields=["limits"])
