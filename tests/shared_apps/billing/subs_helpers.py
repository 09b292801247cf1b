"""Fixtures of the plans and subscriptions tests (imported by their modules).

Stripe is off by default (``_no_real_stripe``: no key, a closed local port); ``stripe_on`` starts
the platform's localstripe launcher (``saas.dev.localstripe``) once per session and points the
settings at it. Celery is eager in tests; work sent after commit runs inside
``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant
from tests.factories.billing import PlanFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.payments.conftest import _no_real_stripe, localstripe, stripe_on  # noqa: F401

MakePlan = Callable[..., Plan]


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    """Platform staff on the platform host."""
    return client_for(None, login(None, "staff@localhost")["access"])


@pytest.fixture
def nonstaff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    """A platform user who is not staff, on the platform host."""
    return client_for(None, login(None, "nonstaff@localhost")["access"])


@pytest.fixture
def make_plan(db: None) -> MakePlan:
    """``make_plan(code, price="0.00", **fields)``: a plan row (no Stripe sync), USD monthly by default."""

    def make(code: str, price: str = "0.00", **fields: Any) -> Plan:
        return PlanFactory(code=code, price=Decimal(price), **fields)

    return make


def account(tenant: Tenant) -> BillingAccount:
    """``tenant``'s billing account, read afresh (opened without a plan if it has none yet)."""
    found, _ = BillingAccount.objects.select_related("plan").get_or_create(tenant_id=tenant.pk)
    return found
