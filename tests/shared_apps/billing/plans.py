"""Plans in tests: a ``Plan`` with the given limits attached to a tenant's ``BillingAccount``.

Session tenants have a billing account without a plan (provisioning opens it): ``plan_for`` sets
the plan (or makes the account) inside the test's rolled-back transaction.
"""

from __future__ import annotations

from typing import Any

from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant
from tests.factories.billing import PlanFactory


def plan_for(tenant: Tenant, **limits: Any) -> Plan:
    """A new free plan with ``limits`` (``{name: int | None}``) made ``tenant``'s plan."""
    plan = PlanFactory(limits=limits)
    BillingAccount.objects.update_or_create(tenant=tenant, defaults={"plan": plan})
    return plan


def set_limits(plan: Plan, **limits: Any) -> None:
    """Change ``plan``'s limits (an upgrade or a downgrade)."""
    plan.limits = limits
    plan.save(update_fields=["limits"])
