"""The site's billing on its own host (admins only): overview, plan change, Checkout and Portal links.

Checkout, Billing Portal, SetupIntent and invoice answers come from recorded Stripe responses
(``tests/fixtures/stripe/*.json``, Stripe's documented shapes, served by ``responses``), so they do
not rely on our localstripe extension; the plan change runs against localstripe.
"""

# Fixtures are imported from subs_helpers (no conftest: the folder is shared with other work), so
# test parameters named after them shadow the imports.
# ruff: noqa: F811

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
import responses
import stripe
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from shared_apps.billing import gateway
from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.billing.services import billing_account_sync, billing_checkout_completed
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tests.api import error_code
from tests.fixture_types import ApiAs, MakeUser
from tests.shared_apps.billing.subs_helpers import (  # noqa: F401
    MakePlan,
    _no_real_stripe,
    account,
    localstripe,
    make_plan,
    stripe_on,
)
from tests.tenant_apps.payments.conftest import SECRET_KEY, api  # noqa: F401

BILLING = "/api/v1/billing/"
RECORDED = Path(__file__).resolve().parents[2] / "fixtures" / "stripe"
STRIPE = "https://api.stripe.com"
CUSTOMER = "cus_TEST0recorded01"


def recorded(name: str) -> dict[str, Any]:
    """A recorded Stripe response body (tests/fixtures/stripe/<name>.json)."""
    return dict(json.loads((RECORDED / f"{name}.json").read_text()))


def form(call: Any) -> dict[str, list[str]]:
    """The form-encoded body of a recorded request."""
    return parse_qs(call.request.body if isinstance(call.request.body, str) else call.request.body.decode())


@pytest.fixture
def stripe_recorded(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[responses.RequestsMock]:
    """Stripe on at api.stripe.com, answered only by what the test registers (no network, no retries)."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = STRIPE
    monkeypatch.setattr("saas.stripe.MAX_NETWORK_RETRIES", 0)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def plans(make_plan: MakePlan) -> dict[str, Plan]:
    return {
        "trial": make_plan("trial", trial_days=14, limits={"users": 5}),
        "pro": make_plan("pro", "29.00", limits={"users": None}),
        "tiny": make_plan("tiny", "1.00", limits={"users": 0}),
        "internal": make_plan("internal", "5.00", is_public=False),
    }


def _on_plan(tenant: Tenant, plan: Plan, **fields: Any) -> BillingAccount:
    BillingAccount.objects.update_or_create(tenant_id=tenant.pk, defaults={"plan": plan, **fields})
    return account(tenant)


def test_the_admin_sees_the_sites_plan_status_and_usage(alpha: Tenant, api: ApiAs, plans: dict[str, Plan]) -> None:
    # given
    _on_plan(alpha, plans["trial"])
    # when
    response = api(alpha, "admin@alpha.test").get(BILLING)
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["plan"]["code"] == "trial" and body["plan"]["limits"] == {"users": 5}
    assert (body["status"], body["billing_suspended"], body["cancel_at_period_end"]) == ("pending", False, False)
    users = next(row for row in body["usage"] if row["name"] == "users")
    assert (users["allowed"], users["unit"]) == (5, "count") and users["usage"] >= 1
    assert (body["invoices"], body["invoices_unavailable"]) == ([], False)
    assert "stripe_customer_id" not in body


def test_only_the_sites_admins_reach_its_billing(
    alpha: Tenant, api: ApiAs, make_user: MakeUser, plans: dict[str, Plan], client_for: Any
) -> None:
    # given
    _on_plan(alpha, plans["trial"])
    make_user(alpha, "student@alpha.test", roles=["student"])
    student = api(alpha, "student@alpha.test")
    # when
    answers = {
        "overview": student.get(BILLING),
        "plan": student.post(f"{BILLING}plan/", {"plan": "pro"}, format="json"),
        "checkout": student.post(f"{BILLING}checkout/", {"plan": "pro"}, format="json"),
        "portal": student.post(f"{BILLING}portal/"),
    }
    anonymous = client_for(alpha).get(BILLING)
    # then
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 403)
    assert anonymous.status_code == 401
    assert account(alpha).plan == plans["trial"]


def test_a_site_never_sees_or_changes_another_sites_billing(
    alpha: Tenant, beta: Tenant, api: ApiAs, plans: dict[str, Plan], login: Any, client_for: Any
) -> None:
    # given
    _on_plan(alpha, plans["trial"])
    _on_plan(beta, plans["pro"], stripe_customer_id="cus_beta_secret")
    alpha_token = login(alpha, "admin@alpha.test")["access"]
    # when
    own = api(alpha, "admin@alpha.test").get(BILLING).json()
    replayed = client_for(beta, alpha_token).get(BILLING)
    changed = client_for(beta, alpha_token).post(f"{BILLING}plan/", {"plan": "tiny"}, format="json")
    beta_changes = api(beta, "admin@beta.test").post(f"{BILLING}plan/", {"plan": "tiny"}, format="json")
    # then
    assert own["plan"]["code"] == "trial"
    assert replayed.status_code == 401 and changed.status_code == 401
    assert beta_changes.status_code == 200
    assert account(alpha).plan == plans["trial"] and account(beta).plan == plans["tiny"]


def test_the_admin_changes_the_plan_even_below_usage_and_it_is_audited(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan]
) -> None:
    # given
    _on_plan(alpha, plans["trial"])
    admin = api(alpha, "admin@alpha.test")
    # when
    downgraded = admin.post(f"{BILLING}plan/", {"plan": "tiny"}, format="json")
    hidden = admin.post(f"{BILLING}plan/", {"plan": "internal"}, format="json")
    unknown = admin.post(f"{BILLING}plan/", {"plan": "nope"}, format="json")
    empty = admin.post(f"{BILLING}plan/", {}, format="json")
    # then
    assert downgraded.status_code == 200, downgraded.content
    users = next(row for row in downgraded.json()["usage"] if row["name"] == "users")
    assert users["allowed"] == 0 and users["usage"] >= 1
    for refused in (hidden, unknown, empty):
        assert (refused.status_code, error_code(refused)) == (400, "validation_error")
    assert account(alpha).plan == plans["tiny"]
    with tenant_context(alpha):
        entry = AuditLogEntry.objects.filter(verb="billing.plan_changed").latest("id")
        assert entry.changes == {"plan": ["trial", "tiny"]} and entry.actor_repr == "admin@alpha.test"


def test_the_admins_plan_change_moves_the_stripe_subscription(
    alpha: Tenant,
    api: ApiAs,
    make_plan: MakePlan,
    stripe_on: stripe.StripeClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given
    trial = make_plan("trial", trial_days=14)
    make_plan("pro", "29.00")
    _on_plan(alpha, trial)
    billing_account_sync(tenant_id=alpha.pk)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api(alpha, "admin@alpha.test").post(f"{BILLING}plan/", {"plan": "pro"}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["plan"]["code"], response.json()["status"]) == ("pro", "trialing")
    subscription = stripe_on.v1.subscriptions.retrieve(account(alpha).stripe_subscription_id)
    assert subscription["items"]["data"][0]["price"]["id"] == Plan.objects.get(code="pro").stripe_price_id


def test_checkout_answers_the_stripe_checkout_url(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan], stripe_recorded: responses.RequestsMock
) -> None:
    # given
    _on_plan(alpha, plans["trial"], stripe_customer_id=CUSTOMER)
    session = recorded("checkout_session_setup")
    call = stripe_recorded.add(responses.POST, f"{STRIPE}/v1/checkout/sessions", json=session)
    # when
    response = api(alpha, "admin@alpha.test").post(f"{BILLING}checkout/", {"plan": "pro"}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"url": session["url"]}
    sent = form(call.calls[0])
    assert (sent["mode"], sent["customer"], sent["metadata[plan]"]) == (["setup"], [CUSTOMER], ["pro"])
    assert sent["metadata[tenant]"] == [str(alpha.uuid)]
    assert sent["success_url"] == ["https://alpha.localhost/billing/?checkout=success"]
    assert call.calls[0].request.headers["Idempotency-Key"].startswith(f"billing-checkout-{alpha.uuid}-")


def test_portal_answers_the_stripe_portal_url(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan], stripe_recorded: responses.RequestsMock
) -> None:
    # given
    _on_plan(alpha, plans["trial"], stripe_customer_id=CUSTOMER)
    session = recorded("billing_portal_session")
    call = stripe_recorded.add(responses.POST, f"{STRIPE}/v1/billing_portal/sessions", json=session)
    # when
    response = api(alpha, "admin@alpha.test").post(f"{BILLING}portal/")
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"url": session["url"]}
    assert form(call.calls[0]) == {"customer": [CUSTOMER], "return_url": ["https://alpha.localhost/billing/"]}


def test_checkout_and_portal_wait_for_the_stripe_customer(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan], settings: Settings
) -> None:
    # given: the background sync has not made the customer yet
    _on_plan(alpha, plans["trial"])
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    admin = api(alpha, "admin@alpha.test")
    # when
    checkout = admin.post(f"{BILLING}checkout/", {"plan": "pro"}, format="json")
    portal = admin.post(f"{BILLING}portal/")
    hidden = admin.post(f"{BILLING}checkout/", {"plan": "internal"}, format="json")
    # then
    assert (checkout.status_code, error_code(checkout)) == (409, "billing_account_not_ready")
    assert (portal.status_code, error_code(portal)) == (409, "billing_account_not_ready")
    assert (hidden.status_code, error_code(hidden)) == (400, "validation_error")


def test_the_overview_lists_stripe_invoices(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan], stripe_recorded: responses.RequestsMock
) -> None:
    # given
    _on_plan(alpha, plans["pro"], stripe_customer_id=CUSTOMER)
    stripe_recorded.add(responses.GET, f"{STRIPE}/v1/invoices", json=recorded("invoices_list"))
    # when
    body = api(alpha, "admin@alpha.test").get(BILLING).json()
    # then
    assert body["invoices_unavailable"] is False
    first = body["invoices"][0]
    assert (first["number"], first["amount"], first["currency"], first["status"]) == (
        "A1B2C3D4-0002",
        "29.00",
        "USD",
        "paid",
    )
    assert first["hosted_invoice_url"].startswith("https://invoice.stripe.com/")
    assert [row["amount"] for row in body["invoices"]] == ["29.00", "0.00"]


def test_the_overview_is_served_without_invoices_when_stripe_is_down(
    alpha: Tenant, api: ApiAs, plans: dict[str, Plan], stripe_recorded: responses.RequestsMock
) -> None:
    # given
    _on_plan(alpha, plans["pro"], stripe_customer_id=CUSTOMER)
    stripe_recorded.add(responses.GET, f"{STRIPE}/v1/invoices", body=requests.ConnectionError("down"))
    # when
    response = api(alpha, "admin@alpha.test").get(BILLING)
    # then
    assert response.status_code == 200
    assert (response.json()["invoices"], response.json()["invoices_unavailable"]) == ([], True)
    assert response.json()["plan"]["code"] == "pro"


def test_a_completed_checkout_sets_the_card_and_moves_the_plan(
    alpha: Tenant, plans: dict[str, Plan], stripe_recorded: responses.RequestsMock
) -> None:
    # given
    _on_plan(alpha, plans["trial"], stripe_customer_id=CUSTOMER)
    session = {**recorded("checkout_session_setup"), "status": "complete"}
    session["metadata"] = {"plan": "pro", "tenant": str(alpha.uuid)}
    stripe_recorded.add(
        responses.GET, f"{STRIPE}/v1/setup_intents/seti_1QTEST0recorded0001", json=recorded("setup_intent_succeeded")
    )
    update = stripe_recorded.add(
        responses.POST, f"{STRIPE}/v1/customers/{CUSTOMER}", json=recorded("customer_with_default_payment_method")
    )
    # when
    applied = billing_checkout_completed(session=session)
    foreign = billing_checkout_completed(session={**session, "customer": "cus_someone_else"})
    # then
    assert (applied, foreign) == (True, False)
    assert form(update.calls[0]) == {"invoice_settings[default_payment_method]": ["pm_1QTEST0recorded0001"]}
    assert account(alpha).plan == plans["pro"]


def test_gateway_checkout_and_portal_read_stripes_recorded_answers(stripe_recorded: responses.RequestsMock) -> None:
    # given
    stripe_recorded.add(responses.POST, f"{STRIPE}/v1/checkout/sessions", json=recorded("checkout_session_setup"))
    stripe_recorded.add(responses.POST, f"{STRIPE}/v1/billing_portal/sessions", json=recorded("billing_portal_session"))
    # when
    checkout = gateway.checkout_session_create(
        customer_id=CUSTOMER,
        success_url="https://alpha.localhost/billing/?checkout=success",
        cancel_url="https://alpha.localhost/billing/?checkout=cancelled",
        tenant_uuid="00000000-0000-4000-8000-000000000000",
        plan_code="pro",
        idempotency_key="billing-checkout-test",
    )
    portal = gateway.portal_session_create(customer_id=CUSTOMER, return_url="https://alpha.localhost/billing/")
    # then
    assert checkout["object"] == "checkout.session" and checkout["url"].startswith("https://checkout.stripe.com/")
    assert portal["object"] == "billing_portal.session" and portal["url"].startswith("https://billing.stripe.com/")
