"""Subscriptions: a billing account at provisioning, its Stripe customer and subscription made in the
background (retried through an outage), and staff's plan changes."""

# Fixtures are imported from subs_helpers (no conftest: the folder is shared with other work), so
# test parameters named after them shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import stripe
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.billing.services import billing_account_sync, billing_accounts_out_of_sync
from shared_apps.billing.tasks import billing_account_sync_task, billing_accounts_resync_task
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_provision
from tenant_apps.audit.models import AuditLogEntry
from tests.api import error_code
from tests.conftest import PASSWORD
from tests.shared_apps.billing.subs_helpers import (  # noqa: F401
    MakePlan,
    _no_real_stripe,
    account,
    localstripe,
    make_plan,
    nonstaff,
    staff,
    stripe_on,
)
from tests.tenant_apps.payments.conftest import SECRET_KEY, api  # noqa: F401

TENANTS = "/api/v1/tenants/"


def _body(slug: str, **extra: str) -> dict[str, str]:
    return {
        "name": slug.title(),
        "slug": slug,
        "kind": "store",
        "owner_email": f"owner@{slug}.test",
        "owner_password": PASSWORD,
        **extra,
    }


def _price_of(subscription: stripe.Subscription) -> str:
    return str(subscription["items"]["data"][0]["price"]["id"])


def test_a_tenant_provisioned_on_a_trial_plan_gets_a_customer_and_a_trialing_subscription(
    staff: APIClient,
    make_plan: MakePlan,
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    make_plan("trial", trial_days=14, limits={"users": 3})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(TENANTS, _body("subs-trial", plan="trial"), format="json")
    # then
    assert response.status_code == 201, response.content
    tenant = Tenant.objects.get(schema_name="subs-trial")
    billing = account(tenant)
    assert (billing.plan.code if billing.plan else None, billing.status, billing.sync_error) == (
        "trial",
        "trialing",
        "",
    )
    customer = stripe_on.v1.customers.retrieve(billing.stripe_customer_id)
    assert (customer.email, customer.to_dict()["metadata"]["tenant"]) == ("owner@subs-trial.test", str(tenant.uuid))
    subscription = stripe_on.v1.subscriptions.retrieve(billing.stripe_subscription_id)
    assert subscription.status == "trialing" and subscription.customer == billing.stripe_customer_id
    assert _price_of(subscription) == Plan.objects.get(code="trial").stripe_price_id
    assert billing.trial_end is not None
    assert abs(billing.trial_end - (timezone.now() + timedelta(days=14))) < timedelta(minutes=5)


def test_an_unknown_plan_refuses_provisioning(staff: APIClient) -> None:
    # when
    response = staff.post(TENANTS, _body("subs-unknown", plan="nope"), format="json")
    # then
    assert response.status_code == 400
    assert error_code(response) == "validation_error" and "plan" in response.json()["error"]["details"]
    assert not Tenant.objects.filter(schema_name="subs-unknown").exists()


def test_without_a_plan_the_default_plan_applies_and_without_a_key_nothing_is_called(
    db: None,
    make_plan: MakePlan,
    settings: Settings,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    make_plan("trial", trial_days=14)
    settings.BILLING_DEFAULT_PLAN = "trial"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(kind="store", slug="subs-default", name="D", owner_email="o@d.test")
    # then
    billing = account(tenant)
    assert (billing.plan.code if billing.plan else None, billing.status) == ("trial", "pending")
    assert (billing.stripe_customer_id, billing.sync_error) == ("", "")


def test_no_plan_configured_means_no_stripe_calls(
    db: None, settings: Settings, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    # given: Stripe is "on" but unreachable: any call would leave an error behind
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.BILLING_DEFAULT_PLAN = ""
    # when
    with django_capture_on_commit_callbacks(execute=True):
        tenant = tenant_provision(kind="store", slug="subs-noplan", name="N", owner_email="o@n.test")
    # then
    billing = account(tenant)
    assert (billing.plan, billing.status, billing.sync_error, billing.stripe_customer_id) == (None, "pending", "", "")


def test_a_stripe_outage_never_blocks_provisioning_and_a_later_retry_completes_the_account(
    staff: APIClient,
    make_plan: MakePlan,
    settings: Settings,
    localstripe: str,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: a key, and Stripe unreachable (a closed port); the retries are cut short
    make_plan("trial", trial_days=7)
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    monkeypatch.setattr("saas.stripe.MAX_NETWORK_RETRIES", 0)
    monkeypatch.setattr(billing_account_sync_task, "max_retries", 1)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(TENANTS, _body("subs-outage", plan="trial"), format="json")
    # then: provisioned, the account waits with the error
    assert response.status_code == 201, response.content
    tenant = Tenant.objects.get(schema_name="subs-outage")
    assert tenant.status == "active"
    billing = account(tenant)
    assert (billing.status, billing.stripe_customer_id) == ("pending", "")
    assert billing.sync_error.startswith("payment_provider_error")
    # when: Stripe is back and the task runs again
    settings.STRIPE_API_BASE = localstripe
    billing_account_sync_task.delay(tenant.pk)
    # then
    billing = account(tenant)
    assert (billing.status, billing.sync_error) == ("trialing", "")
    assert billing.stripe_customer_id.startswith("cus_") and billing.stripe_subscription_id.startswith("sub_")


def test_the_hourly_resync_completes_an_account_whose_sync_outlived_its_retries(
    staff: APIClient,
    make_plan: MakePlan,
    settings: Settings,
    localstripe: str,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: provisioned while Stripe was down, the task's retries used up
    make_plan("trial", trial_days=7)
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    monkeypatch.setattr("saas.stripe.MAX_NETWORK_RETRIES", 0)
    monkeypatch.setattr(billing_account_sync_task, "max_retries", 1)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(TENANTS, _body("subs-resync", plan="trial"), format="json")
    tenant = Tenant.objects.get(schema_name="subs-resync")
    assert account(tenant).status == "pending"
    # when: Stripe is back and the hourly beat entry runs (in the public schema)
    settings.STRIPE_API_BASE = localstripe
    sent = billing_accounts_resync_task.delay().get()
    # then: the account is complete, and a second run has nothing left to send for it
    billing = account(tenant)
    assert sent >= 1
    assert (billing.status, billing.sync_error) == ("trialing", "")
    assert billing.stripe_subscription_id.startswith("sub_")
    assert tenant.pk not in set(billing_accounts_out_of_sync().values_list("tenant_id", flat=True))


@pytest.mark.django_db
def test_the_resync_is_an_hourly_public_beat_entry_and_skips_accounts_without_a_plan() -> None:
    from django.conf import settings as django_settings

    entry = django_settings.CELERY_BEAT_SCHEDULE["billing-accounts-resync"]
    assert entry["task"] == "shared_apps.billing.tasks.billing_accounts_resync_task"
    assert entry["schedule"] == 3600.0 and entry["public"] is True
    assert not billing_accounts_out_of_sync().filter(plan__isnull=True).exists()


# --- plan changes by staff -----------------------------------------------------------------------------


@pytest.fixture
def subscribed_alpha(
    alpha: Tenant, make_plan: MakePlan, stripe_on: stripe.StripeClient
) -> tuple[Tenant, BillingAccount]:
    """alpha on the trial plan with its Stripe customer and trialing subscription; a "pro" plan exists."""
    make_plan("trial", trial_days=14)
    make_plan("pro", "29.00")
    BillingAccount.objects.update_or_create(tenant_id=alpha.pk, defaults={"plan": Plan.objects.get(code="trial")})
    billing_account_sync(tenant_id=alpha.pk)
    billing = account(alpha)
    assert billing.status == "trialing"
    return alpha, billing


def test_staff_move_a_tenant_to_another_plan_and_stripe_follows(
    staff: APIClient,
    subscribed_alpha: tuple[Tenant, BillingAccount],
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    alpha, before = subscribed_alpha
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"{TENANTS}alpha/plan/", {"plan": "pro"}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["plan"] == "pro"
    billing = account(alpha)
    assert billing.plan is not None and billing.plan.code == "pro"
    assert billing.stripe_subscription_id == before.stripe_subscription_id
    subscription = stripe_on.v1.subscriptions.retrieve(billing.stripe_subscription_id)
    assert _price_of(subscription) == Plan.objects.get(code="pro").stripe_price_id
    with tenant_context(alpha):
        entry = AuditLogEntry.objects.filter(verb="billing.plan_changed").latest("id")
    assert entry.changes == {"plan": ["trial", "pro"], "staff": "staff@localhost"}
    assert entry.actor_id is None


def test_staff_plan_change_rules(staff: APIClient, nonstaff: APIClient, alpha: Tenant, make_plan: MakePlan) -> None:
    # given
    make_plan("pro", "29.00", is_public=False)
    # when
    unknown = staff.post(f"{TENANTS}alpha/plan/", {"plan": "nope"}, format="json")
    missing = staff.post(f"{TENANTS}nope/plan/", {"plan": "pro"}, format="json")
    refused = nonstaff.post(f"{TENANTS}alpha/plan/", {"plan": "pro"}, format="json")
    hidden_plan = staff.post(f"{TENANTS}alpha/plan/", {"plan": "pro"}, format="json")
    # then
    assert (unknown.status_code, error_code(unknown)) == (400, "validation_error")
    assert missing.status_code == 404
    assert refused.status_code == 403
    assert hidden_plan.status_code == 200  # staff may use a plan that is not public
    assert account(alpha).plan == Plan.objects.get(code="pro")


def test_staff_see_the_billing_block_in_the_tenant_detail(
    staff: APIClient, subscribed_alpha: tuple[Tenant, BillingAccount]
) -> None:
    # given
    _, billing = subscribed_alpha
    # when
    body = staff.get(f"{TENANTS}alpha/").json()
    listed = staff.get(TENANTS).json()["results"]
    # then
    block = body["billing"]
    assert (block["plan"], block["status"]) == ("trial", "trialing")
    assert block["stripe_customer_id"] == billing.stripe_customer_id
    assert block["stripe_subscription_id"] == billing.stripe_subscription_id
    assert block["current_period_end"] is not None
    assert {row["name"] for row in block["usage"]} >= {"users", "storage_mb", "custom_domains"}
    assert all("billing" not in row for row in listed)  # the list reads no tenant's schema


def test_a_card_then_the_trials_end_makes_the_subscription_active_with_an_invoice(
    staff: APIClient,
    subscribed_alpha: tuple[Tenant, BillingAccount],
    stripe_on: stripe.StripeClient,
    api: Any,
) -> None:
    # given: alpha on pro (29.00) in its trial, with a card as the customer's default
    alpha, billing = subscribed_alpha
    staff.post(f"{TENANTS}alpha/plan/", {"plan": "pro"}, format="json")
    billing_account_sync(tenant_id=alpha.pk)
    card = stripe_on.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    stripe_on.v1.payment_methods.attach(card.id, params={"customer": billing.stripe_customer_id})
    stripe_on.v1.customers.update(
        billing.stripe_customer_id, params={"invoice_settings": {"default_payment_method": card.id}}
    )
    # when: the trial ends at Stripe, and the account is read again from Stripe
    stripe_on.v1.subscriptions.update(billing.stripe_subscription_id, params={"trial_end": "now"})
    billing_account_sync(tenant_id=alpha.pk)
    # then
    overview = api(alpha, "admin@alpha.test").get("/api/v1/billing/").json()
    assert (overview["plan"]["code"], overview["status"]) == ("pro", "active")
    assert [(row["amount"], row["currency"], row["status"]) for row in overview["invoices"]] == [
        ("29.00", "USD", "paid")
    ]
