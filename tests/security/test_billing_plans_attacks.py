"""Attacks on plans and the sites' billing: Stripe ids and staff fields set through the API or the
console, the billing console pages written to, endpoints reached on the wrong host, a site's token
on the platform."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingAccount, BillingEvent, Plan
from shared_apps.tenancy.models import Tenant
from tests.admin import admin_client, admin_url
from tests.fixture_types import ClientFor, Login

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans/"
PRO = {"code": "pro", "name": "Pro", "price": "29.00", "currency": "USD"}


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def test_stripe_ids_and_timestamps_sent_with_a_plan_are_ignored(staff: APIClient) -> None:
    # given
    forged = {"stripe_price_id": "price_evil", "stripe_product_id": "prod_evil", "created_at": "2000-01-01T00:00:00Z"}
    # when
    created = staff.post(PLANS, {**PRO, **forged}, format="json")
    changed = staff.patch(f"{PLANS}pro/", forged, format="json")
    # then
    assert created.status_code == 201 and changed.status_code == 200
    plan = Plan.objects.get(code="pro")
    assert (plan.stripe_price_id, plan.stripe_product_id) == ("", "")
    assert plan.created_at.year > 2000


def test_a_sites_admin_token_writes_no_plan_and_finds_no_billing_on_the_platform(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    token = login(alpha, "admin@alpha.test")["access"]
    platform = client_for(None, token)
    # when
    create = platform.post(PLANS, PRO, format="json")
    billing = platform.get("/api/v1/billing/")
    plan_change = platform.post("/api/v1/tenants/alpha/plan/", {"plan": "pro"}, format="json")
    # then
    assert create.status_code in (401, 403)
    assert billing.status_code == 404
    assert plan_change.status_code in (401, 403)
    assert not Plan.objects.exists()


def test_plans_are_not_served_on_a_sites_host(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    listed = admin.get(PLANS)
    created = admin.post(PLANS, PRO, format="json")
    # then
    assert (listed.status_code, created.status_code) == (404, 404)
    assert listed["Content-Type"].startswith("application/json")


def test_the_billing_account_and_event_pages_only_read(alpha: Tenant) -> None:
    # given
    staff = admin_client(None)
    billing, _ = BillingAccount.objects.get_or_create(tenant_id=alpha.pk)
    event = BillingEvent.objects.create(event_id="evt_console", type="invoice.paid", tenant=alpha)
    # when
    forged = [
        staff.post(admin_url(billing, "change"), {"status": "active", "stripe_customer_id": "cus_evil"}),
        staff.post(admin_url(billing, "delete"), {"post": "yes"}),
        staff.post(admin_url(BillingAccount, "add"), {"tenant": alpha.pk, "status": "active"}),
        staff.post(admin_url(event, "change"), {"outcome": "forged"}),
        staff.post(admin_url(event, "delete"), {"post": "yes"}),
    ]
    # then
    assert [response.status_code for response in forged] == [403] * len(forged)
    billing.refresh_from_db()
    assert billing.stripe_customer_id != "cus_evil"
    assert BillingEvent.objects.get(pk=event.pk).outcome == ""


@pytest.mark.parametrize("path", [admin_url(Plan, "change", "abc"), admin_url(BillingAccount, "change", 999999)])
def test_an_unknown_or_malformed_billing_id_is_a_redirect(session_tenants: Any, path: str) -> None:
    assert admin_client(None).get(path).status_code == 302


def test_the_console_plan_form_ignores_stripe_ids_and_keeps_the_code(session_tenants: Any) -> None:
    # given
    plan = Plan.objects.create(code="pro", name="Pro", price=29, currency="USD")
    form = {
        "code": "evil",
        "name": "Pro",
        "price": "29.00",
        "currency": "USD",
        "interval": "month",
        "trial_days": "0",
        "application_fee_percent": "0",
        "limits": "{}",
        "is_public": "on",
        "stripe_price_id": "price_evil",
    }
    # when
    response = admin_client(None).post(admin_url(plan, "change"), form)
    # then
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.code, plan.stripe_price_id) == ("pro", "")
