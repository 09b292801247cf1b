"""``POST /api/v1/billing/stripe/webhook/`` (platform host): signed Stripe events keep each tenant's
billing account in step, each applied once, never an older state over a newer one."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from pytest_django import Settings

from shared_apps.billing import webhooks
from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.conftest import host_of
from tests.shared_apps.billing.webhook_support import (
    account_of,
    at,
    deliver,
    event,
    invoice,
    plan,
    sign,
    subscription,
)

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------
# The delivery: signature, payload, secret, host
# --------------------------------------------------------------------------------------------


def test_a_wrong_signature_is_a_400_invalid_signature_and_changes_nothing(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    body = json.dumps(event("customer.subscription.updated", subscription(alpha, "canceled")))
    # when
    response = deliver(payload=body, signature=sign(body, secret="whsec_someone_else"))
    # then
    assert response.status_code == 400 and error_code(response) == "invalid_signature"
    assert BillingAccount.objects.get(tenant=alpha).status == "active"
    assert not BillingEvent.objects.exists()


def test_a_missing_or_stale_signature_is_a_400_invalid_signature(alpha: Tenant) -> None:
    body = json.dumps(event("customer.subscription.updated", subscription(alpha, "canceled")))
    missing = deliver(payload=body, signature="")
    stale = deliver(payload=body, signature=sign(body, timestamp=int(time.time()) - 3600))
    assert error_code(missing) == "invalid_signature" and missing.status_code == 400
    assert error_code(stale) == "invalid_signature" and stale.status_code == 400


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '{"id": "evt_1"}', '{"id": "e", "type": "t", "data": 1}'])
def test_a_signed_body_that_is_not_an_event_is_a_400_invalid_payload(payload: str) -> None:
    response = deliver(payload=payload)
    assert response.status_code == 400 and error_code(response) == "invalid_payload"


def test_without_the_signing_secret_the_endpoint_answers_503(settings: Settings, alpha: Tenant) -> None:
    settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    response = deliver(event("customer.subscription.updated", subscription(alpha, "active")))
    assert response.status_code == 503 and error_code(response) == "payments_unavailable"


def test_the_endpoint_is_not_served_on_a_tenant_host(alpha: Tenant) -> None:
    # given
    account_of(alpha)
    # when: the same signed event sent to a site
    response = deliver(event("customer.subscription.deleted", subscription(alpha, "canceled")), host=host_of(alpha))
    # then: a JSON 404 and nothing changed
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert BillingAccount.objects.get(tenant=alpha).status == "active"


def test_other_methods_are_a_json_405() -> None:
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="localhost").get("/api/v1/billing/stripe/webhook/")
    assert response.status_code == 405 and error_code(response) == "method_not_allowed"


# --------------------------------------------------------------------------------------------
# Applying a subscription
# --------------------------------------------------------------------------------------------


def test_a_subscription_update_sets_status_period_trial_cancellation_and_plan(alpha: Tenant) -> None:
    # given
    pro = plan()
    account_of(alpha, status="trialing")
    sub = subscription(alpha, "active", period_end=1_900_000_000, trial_end=1_890_000_000, cancel_at_period_end=True)
    # when
    response = deliver(event("customer.subscription.updated", sub, created=1_800_000_000))
    # then
    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "processed", "outcome": "applied"}
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.status == "active" and account.plan == pro
    assert account.current_period_end == at(1_900_000_000) and account.trial_end == at(1_890_000_000)
    assert account.cancel_at_period_end is True and account.stripe_state_at == at(1_800_000_000)


def test_the_period_end_of_older_api_versions_is_read_from_the_subscription(alpha: Tenant) -> None:
    account_of(alpha)
    sub = subscription(alpha, "active", period_end=1_950_000_000, on_item=False)
    deliver(event("customer.subscription.updated", sub))
    assert BillingAccount.objects.get(tenant=alpha).current_period_end == at(1_950_000_000)


def test_an_unknown_price_leaves_the_plan_as_it_is_and_warns(alpha: Tenant, caplog: pytest.LogCaptureFixture) -> None:
    # given
    pro = plan()
    account_of(alpha, plan=pro)
    # when
    with caplog.at_level(logging.WARNING, logger="shared_apps.billing.sync"):
        deliver(event("customer.subscription.updated", subscription(alpha, "active", price_id="price_unknown")))
    # then
    assert BillingAccount.objects.get(tenant=alpha).plan == pro
    assert "price_unknown" in caplog.text


def test_an_event_for_no_account_of_ours_is_ignored_with_200_and_not_recorded(alpha: Tenant) -> None:
    sub = subscription(alpha, "active", id="sub_stranger", customer="cus_stranger")
    response = deliver(event("customer.subscription.updated", sub))
    assert response.status_code == 200 and response.json()["status"] == "ignored"
    assert not BillingEvent.objects.exists()


def test_an_event_type_not_handled_is_ignored_with_200(alpha: Tenant) -> None:
    account_of(alpha)
    response = deliver(event("customer.updated", {"id": "cus_alpha", "object": "customer", "metadata": {}}))
    assert response.status_code == 200 and response.json()["status"] == "ignored"


# --------------------------------------------------------------------------------------------
# Once each, in order
# --------------------------------------------------------------------------------------------


def test_a_replayed_event_answers_200_duplicate_and_changes_nothing(alpha: Tenant) -> None:
    # given: past_due delivered, then the subscription paid again
    account_of(alpha)
    past_due = event("customer.subscription.updated", subscription(alpha, "past_due"), created=1_800_000_000)
    deliver(past_due)
    deliver(event("customer.subscription.updated", subscription(alpha, "active"), created=1_800_000_100))
    # when: Stripe delivers the first event again (a fresh signature, as its retries have)
    response = deliver(past_due)
    # then
    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "duplicate", "outcome": ""}
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.status == "active" and account.grace_ends_at is None
    assert BillingEvent.objects.filter(event_id=past_due["id"]).count() == 1


def test_an_older_event_arriving_after_a_newer_one_changes_nothing(alpha: Tenant) -> None:
    # given: the newer state applied first
    account_of(alpha)
    deliver(event("customer.subscription.updated", subscription(alpha, "active"), created=1_800_000_100))
    # when: the older one arrives late
    response = deliver(event("customer.subscription.updated", subscription(alpha, "past_due"), created=1_800_000_000))
    # then
    assert response.json()["outcome"] == "stale"
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.status == "active" and account.grace_ends_at is None
    assert account.stripe_state_at == at(1_800_000_100)


def test_an_event_of_the_same_second_as_a_fresh_read_still_applies(alpha: Tenant) -> None:
    # given: the subscription service stored a fresh read (at=None) at 12:00:00.700
    from shared_apps.billing.sync import subscription_apply

    account = account_of(alpha)
    with time_machine.travel(at(1_800_000_000) + timedelta(milliseconds=700), tick=False):
        subscription_apply(account=account, subscription=subscription(alpha, "active"), at=None)
    # when: Stripe's event of that second (created 12:00:00) says past_due
    response = deliver(event("customer.subscription.updated", subscription(alpha, "past_due"), created=1_800_000_000))
    # then
    assert response.json()["outcome"] == "applied"
    assert BillingAccount.objects.get(tenant=alpha).status == "past_due"


def test_an_old_paid_invoice_does_not_undo_a_newer_cancellation(alpha: Tenant) -> None:
    account_of(alpha)
    deliver(event("customer.subscription.deleted", subscription(alpha, "canceled"), created=1_800_000_100))
    response = deliver(event("invoice.paid", invoice(alpha), created=1_800_000_000))
    assert response.json()["outcome"] == "no_change"
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is not None


def test_the_end_of_a_replaced_subscription_does_not_suspend_the_site(alpha: Tenant) -> None:
    # given: the account holds a new subscription
    account_of(alpha, stripe_subscription_id="sub_new")
    # when: the old one's deletion arrives (same customer)
    deliver(event("customer.subscription.deleted", subscription(alpha, "canceled", id="sub_old")))
    # then
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None
    assert BillingAccount.objects.get(tenant=alpha).stripe_subscription_id == "sub_new"


# --------------------------------------------------------------------------------------------
# Invoices and checkout
# --------------------------------------------------------------------------------------------


def test_a_failed_invoice_without_its_subscription_is_noted_the_update_carries_the_status(alpha: Tenant) -> None:
    account_of(alpha)
    failed = invoice(alpha) | {"status": "open"}
    response = deliver(event("invoice.payment_failed", failed))
    assert response.json()["outcome"] == "noted"
    assert BillingAccount.objects.get(tenant=alpha).status == "active"


def test_a_failed_invoice_with_its_subscription_expanded_applies_it(alpha: Tenant) -> None:
    account_of(alpha)
    failed = invoice(alpha) | {"status": "open", "subscription": subscription(alpha, "past_due")}
    response = deliver(event("invoice.payment_failed", failed))
    assert response.json()["outcome"] == "applied"
    assert BillingAccount.objects.get(tenant=alpha).status == "past_due"


def test_a_completed_checkout_applies_the_subscription_it_names_read_from_stripe(
    alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: an account without a subscription yet; Stripe holds the new one
    pro = plan()
    account_of(alpha, stripe_subscription_id="", status="pending")
    monkeypatch.setattr(webhooks, "subscription_retrieve", lambda sub_id: subscription(alpha, "active", id=sub_id))
    session = {"id": "cs_1", "object": "checkout.session", "customer": "cus_alpha", "subscription": "sub_paid"}
    # when
    response = deliver(event("checkout.session.completed", session | {"metadata": {}}))
    # then
    assert response.json()["outcome"] == "applied"
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.stripe_subscription_id == "sub_paid" and account.status == "active" and account.plan == pro


def test_a_completed_setup_checkout_is_handed_to_the_plan_change(
    alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the billing page's upgrade (a setup-mode session)
    from shared_apps.billing import services

    account_of(alpha)
    handed: list[dict[str, Any]] = []

    def completed(*, session: dict[str, Any]) -> bool:
        handed.append(session)
        return True

    monkeypatch.setattr(services, "billing_checkout_completed", completed)
    session = {"id": "cs_2", "object": "checkout.session", "mode": "setup", "customer": "cus_alpha", "metadata": {}}
    # when
    response = deliver(event("checkout.session.completed", session))
    # then
    assert response.json()["outcome"] == "plan_changed"
    assert [s["id"] for s in handed] == ["cs_2"]


# --------------------------------------------------------------------------------------------
# Isolation
# --------------------------------------------------------------------------------------------


def test_an_event_about_one_tenant_never_touches_another(alpha: Tenant, beta: Tenant) -> None:
    # given
    account_of(alpha)
    account_of(beta)
    # when: alpha's subscription is cancelled and then alpha pays
    deliver(event("customer.subscription.updated", subscription(alpha, "past_due")))
    deliver(event("customer.subscription.deleted", subscription(alpha, "canceled")))
    # then: beta is untouched
    beta_account = BillingAccount.objects.get(tenant=beta)
    assert beta_account.status == "active" and beta_account.grace_ends_at is None
    beta.refresh_from_db()
    alpha.refresh_from_db()
    assert beta.billing_suspended_at is None and alpha.billing_suspended_at is not None
    assert set(BillingEvent.objects.values_list("tenant__schema_name", flat=True)) == {"alpha"}


def test_an_event_naming_one_tenants_subscription_and_anothers_customer_goes_by_the_subscription(
    alpha: Tenant, beta: Tenant
) -> None:
    account_of(alpha)
    account_of(beta)
    deliver(event("customer.subscription.updated", subscription(alpha, "past_due", customer="cus_beta")))
    alpha_account = BillingAccount.objects.get(tenant=alpha)
    assert alpha_account.status == "past_due" and alpha_account.stripe_customer_id == "cus_alpha"
    assert BillingAccount.objects.get(tenant=beta).status == "active"
