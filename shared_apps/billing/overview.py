"""What the billing screens read (no writes): the tenant admin's overview and staff's billing block.

``usage`` comes from ``limits.usage_of`` (each limit of the tenant's kind: allowed by the plan,
used now). Invoices are read from Stripe at request time; when Stripe cannot answer the overview
is still served, without them (``invoices_unavailable``: true), never a 5xx.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from saas.errors import ApplicationError
from saas.money import from_minor_units
from saas.stripe import payments_enabled
from shared_apps.billing import gateway
from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)


def usage_rows(tenant: Tenant) -> list[dict[str, Any]]:
    """``limits.usage_of(tenant)`` as dicts: ``name``, ``label``, ``allowed`` (``None``:
    unlimited), ``usage``, ``unit`` (``count`` | ``MB``)."""
    from shared_apps.billing.limits import usage_of

    return [asdict(row) for row in usage_of(tenant)]


def _account(tenant: Tenant) -> BillingAccount:
    found = BillingAccount.objects.select_related("plan").filter(tenant_id=tenant.pk).first()
    return found if found is not None else BillingAccount(tenant_id=tenant.pk)


def plan_summary(plan: Plan | None) -> dict[str, Any] | None:
    """The plan as a tenant sees it (no Stripe ids, no fee), or ``None``."""
    if plan is None:
        return None
    return {
        "code": plan.code,
        "name": plan.name,
        "price": plan.price,
        "currency": plan.currency,
        "interval": plan.interval,
        "trial_days": plan.trial_days,
        "limits": plan.limits,
    }


def staff_billing_of(tenant: Tenant) -> dict[str, Any] | None:
    """Staff's billing block of ``tenant`` (``None`` when it has no billing account)."""
    account = BillingAccount.objects.select_related("plan").filter(tenant_id=tenant.pk).first()
    if account is None:
        return None
    return {
        "plan": account.plan.code if account.plan else None,
        "status": account.status,
        "stripe_customer_id": account.stripe_customer_id,
        "stripe_subscription_id": account.stripe_subscription_id,
        "current_period_end": account.current_period_end,
        "trial_end": account.trial_end,
        "cancel_at_period_end": account.cancel_at_period_end,
        "grace_ends_at": account.grace_ends_at,
        "billing_suspended": tenant.billing_suspended_at is not None,
        "sync_error": account.sync_error,
        "usage": usage_rows(tenant),
    }


def _invoices(account: BillingAccount) -> tuple[list[dict[str, Any]], bool]:
    if not payments_enabled() or not account.stripe_customer_id:
        return [], False
    try:
        found = gateway.invoices_list(customer_id=account.stripe_customer_id)
    except ApplicationError as exc:
        logger.warning("invoices of %s not read: %s", account.stripe_customer_id, exc.message)
        return [], True
    rows = []
    for invoice in found:
        currency = str(invoice.get("currency") or "").upper()
        amount = invoice.get("amount_due", invoice.get("total", 0)) or 0
        rows.append(
            {
                "id": invoice.get("id"),
                "number": invoice.get("number"),
                "amount": from_minor_units(int(amount), currency),
                "currency": currency,
                "status": invoice.get("status"),
                "hosted_invoice_url": invoice.get("hosted_invoice_url"),
                "created": datetime.fromtimestamp(int(invoice.get("created") or 0), tz=UTC),
            }
        )
    return rows, False


def billing_overview(tenant: Tenant) -> dict[str, Any]:
    """The tenant admin's ``GET /api/v1/billing/``: plan, status, trial and period ends, grace
    period end, billing suspension, usage against each limit, and Stripe's invoices (omitted,
    with ``invoices_unavailable`` true, when Stripe cannot answer)."""
    account = _account(tenant)
    invoices, unavailable = _invoices(account)
    return {
        "plan": plan_summary(account.plan if account.plan_id else None),
        "status": account.status,
        "trial_end": account.trial_end,
        "current_period_end": account.current_period_end,
        "cancel_at_period_end": account.cancel_at_period_end,
        "grace_ends_at": account.grace_ends_at,
        "billing_suspended": tenant.billing_suspended_at is not None,
        "usage": usage_rows(tenant),
        "invoices": invoices,
        "invoices_unavailable": unavailable,
    }
