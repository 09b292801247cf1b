"""The billing webhook against a Stripe fake (localstripe): a completed checkout's subscription is
read from Stripe through the SDK and applied; a Stripe that cannot be read answers 502 and records
nothing, so Stripe's retry applies it later; the test command builds its event from Stripe's copy."""

from __future__ import annotations

from io import StringIO

import pytest
import stripe
from django.core.management import call_command

from saas.api.errors import ApplicationError
from shared_apps.billing import webhooks
from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.shared_apps.billing.webhook_support import account_of, deliver, event, plan
from tests.tenant_apps.payments import conftest as payments

# The payments tests' fixtures: no real Stripe by default, localstripe on demand.
_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on

pytestmark = pytest.mark.django_db


def _stripe_subscription(client: stripe.StripeClient) -> tuple[str, str, str]:
    """A customer subscribed to a new monthly plan at the fake: (customer id, subscription id, plan id)."""
    customer = client.v1.customers.create(params={"email": "admin@alpha.test"})
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    client.v1.payment_methods.attach(method.id, params={"customer": customer.id})
    client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": method.id}})
    product = client.v1.products.create(params={"name": "Pro"})
    stripe_plan = client.v1.plans.create(
        params={"product": product.id, "amount": 2900, "currency": "usd", "interval": "month"}
    )
    sub = client.v1.subscriptions.create(params={"customer": customer.id, "items": [{"plan": stripe_plan.id}]})
    return str(customer.id), str(sub.id), str(stripe_plan.id)


def test_a_completed_checkout_applies_the_subscription_read_from_stripe(
    alpha: Tenant, stripe_on: stripe.StripeClient
) -> None:
    # given: Stripe holds alpha's new subscription; the account knows only the customer
    customer_id, sub_id, plan_id = _stripe_subscription(stripe_on)
    pro = plan(price_id=plan_id)
    account_of(alpha, stripe_customer_id=customer_id, stripe_subscription_id="", status="pending")
    session = {"id": "cs_1", "object": "checkout.session", "customer": customer_id, "subscription": sub_id}
    # when
    response = deliver(event("checkout.session.completed", session | {"metadata": {}}))
    # then
    assert response.status_code == 200 and response.json()["outcome"] == "applied", response.content
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.stripe_subscription_id == sub_id and account.status == "active" and account.plan == pro
    assert account.current_period_end is not None


def test_a_stripe_that_cannot_be_read_answers_502_and_records_nothing(
    alpha: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    account_of(alpha, stripe_subscription_id="", status="pending")

    def unreachable(subscription_id: str) -> dict[str, object]:
        raise ApplicationError("unreachable", code="payment_provider_error", status_code=502)

    monkeypatch.setattr(webhooks, "subscription_retrieve", unreachable)
    session = {"id": "cs_1", "object": "checkout.session", "customer": "cus_alpha", "subscription": "sub_x"}
    # when
    response = deliver(event("checkout.session.completed", session | {"metadata": {}}))
    # then
    assert response.status_code == 502 and error_code(response) == "payment_provider_error"
    assert not BillingEvent.objects.exists()
    assert BillingAccount.objects.get(tenant=alpha).status == "pending"


def test_the_test_command_builds_its_event_from_stripes_copy_of_the_subscription(
    alpha: Tenant, stripe_on: stripe.StripeClient
) -> None:
    # given: the account is past due locally; Stripe says active
    customer_id, sub_id, plan_id = _stripe_subscription(stripe_on)
    plan(price_id=plan_id)
    account_of(alpha, stripe_customer_id=customer_id, stripe_subscription_id=sub_id, status="past_due")
    out = StringIO()
    # when
    call_command(
        "billing_test_webhook", "--tenant", "alpha", "--event", "customer.subscription.updated", "--in-process",
        stdout=out,
    )  # fmt: skip
    # then: Stripe's status applied
    assert '"outcome":"applied"' in out.getvalue()
    assert BillingAccount.objects.get(tenant=alpha).status == "active"
