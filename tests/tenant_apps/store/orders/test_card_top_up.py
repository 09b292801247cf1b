"""Card top-ups of a customer's wallet, end to end: ``POST /api/v1/wallet/top-up/card/`` starts a
Stripe PaymentIntent (at localstripe), and only Stripe's signed ``payment_intent.succeeded``
webhook credits the wallet, once, in the tenant the intent belongs to.

Stripe is the payments tests' fake (``stripe_on``: localstripe) and their signed deliveries
(``deliver``); balances and ledgers are read through the wallet API, as the customer sees them.
"""

from __future__ import annotations

from typing import Any

import pytest
import stripe
from django_tenants.utils import tenant_context
from pytest_django import Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Invoice
from tests.factories import CustomerFactory, UserFactory, create_in
from tests.fixture_types import ApiResponse, ClientFor, Deliver, Login
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, intent_event, pay_intent
from tests.tenant_apps.store.orders.conftest import Api, error_code

# The payments tests' fixtures: no real Stripe by default, localstripe on demand, signed deliveries.
_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver

TOP_UP = "/api/v1/wallet/top-up/card/"
WALLET = "/api/v1/wallet/"
LEDGER = "/api/v1/wallet/ledger/"
EMAIL = "topper@gamma.test"
DECLINED = "4000000000000341"


@pytest.fixture
def customer(gamma: Tenant) -> User:
    """A gamma customer whose wallet already holds 5.00."""
    return create_in(gamma, CustomerFactory, email=EMAIL, funds="5.00")


def start(api: Api, amount: Any, email: str | None = EMAIL) -> ApiResponse:
    """The answer of ``POST /wallet/top-up/card/ {amount}`` for ``email`` (``None``: anonymous)."""
    return api(email).post(TOP_UP, {"amount": amount}, format="json")


def balance(api: Api, email: str = EMAIL) -> str:
    """The wallet balance ``email`` reads from the API."""
    return str(api(email).get(WALLET).json()["balance"])


def ledger(api: Api, email: str = EMAIL) -> list[tuple[str, str, str]]:
    """``(kind, balance_delta, reference)`` of ``email``'s ledger entries, newest first."""
    rows = api(email).get(LEDGER).json()["results"]
    return [(row["kind"], row["balance_delta"], row["reference"]) for row in rows]


def notified(tenant: Tenant, user: User) -> list[tuple[str, dict[str, Any]]]:
    """``(verb, extra_data)`` of the ``wallet.topped_up`` notifications of ``user``."""
    from tenant_apps.notifications.models import Notification

    with tenant_context(tenant):
        rows = Notification.objects.filter(recipient=user, verb="wallet.topped_up")
        return [(n.verb, n.extra_data) for n in rows]


def top_ups(tenant: Tenant) -> list[tuple[str, bool]]:
    """``(amount, credited)`` of every card top-up of ``tenant``."""
    from tenant_apps.store.orders.models import WalletTopUp

    with tenant_context(tenant):
        return [(str(t.amount), t.credited_at is not None) for t in WalletTopUp.objects.order_by("pk")]


def paid_top_up(api: Api, client: stripe.StripeClient, amount: str = "25.00") -> tuple[dict[str, Any], dict[str, Any]]:
    """A top-up started through the API and paid at localstripe: ``(201 body, succeeded event)``."""
    response = start(api, amount)
    assert response.status_code == 201, response.content
    body = response.json()
    assert pay_intent(client, body["payment_intent_id"]) == "succeeded"
    return body, fake_event(client, body["payment_intent_id"], "payment_intent.succeeded")


# --- Starting a top-up ---------------------------------------------------------------------------


def test_starting_a_top_up_returns_a_payment_intent_and_credits_nothing_yet(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient
) -> None:
    # given: a customer with 5.00
    # when
    response = start(api, "25.00")
    # then: an intent of 25.00 for Stripe.js, but the wallet is as it was
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["currency"], body["credited_at"]) == ("25.00", "USD", None)
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert (intent["amount"], intent["currency"], intent["client_secret"]) == (2500, "usd", body["client_secret"])
    assert intent["metadata"]["tenant"] == "gamma"
    assert balance(api) == "5.00"
    assert [kind for kind, _, _ in ledger(api)] == ["top_up"]  # the 5.00 of the set-up only
    assert notified(gamma, customer) == []


def test_without_online_payments_a_top_up_is_unavailable_and_leaves_nothing(
    gamma: Tenant, customer: User, api: Api
) -> None:
    # given: the default test settings have no STRIPE_SECRET_KEY
    # when
    response = start(api, "25.00")
    # then
    assert response.status_code == 503 and error_code(response) == "payments_unavailable"
    assert top_ups(gamma) == []


def test_an_unreachable_stripe_leaves_no_invoice_nor_top_up_behind(
    gamma: Tenant, customer: User, api: Api, settings: Settings
) -> None:
    # given: a key, but Stripe's base URL is a closed local port
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    # when
    response = start(api, "25.00")
    # then
    assert response.status_code == 502 and error_code(response) == "payment_provider_error"
    assert top_ups(gamma) == []
    with tenant_context(gamma):
        assert not Invoice.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    "amount",
    ["0", "0.00", "-5.00", "10.001", "ten", "", "1e3", "10000000000.00", 0, -1, 10.001, True, None],
)
def test_a_bad_amount_is_refused_in_the_one_error_shape(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient, amount: Any
) -> None:
    # given: a customer, Stripe on
    # when
    response = start(api, amount)
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert "amount" in response.json()["error"]["details"]
    assert top_ups(gamma) == []
    assert balance(api) == "5.00"


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("seller@gamma.test", 403), ("admin@gamma.test", 403)])
def test_only_customers_top_up_by_card(
    gamma: Tenant, api: Api, stripe_on: stripe.StripeClient, who: str | None, status: int
) -> None:
    # given
    create_in(gamma, UserFactory, email="seller@gamma.test", roles=["seller"])
    # when
    response = start(api, "25.00", email=who)
    # then
    assert response.status_code == status
    assert error_code(response) == {401: "not_authenticated", 403: "permission_denied"}[status]
    assert top_ups(gamma) == []


def test_a_school_site_has_no_card_top_up(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: alpha is a school
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    response = client.post(TOP_UP, {"amount": "25.00"}, format="json")
    # then
    assert response.status_code == 404 and error_code(response) == "not_found"


# --- Stripe's webhook ----------------------------------------------------------------------------


def test_the_succeeded_webhook_credits_the_wallet_exactly_the_amount_and_notifies(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient, deliver: Deliver
) -> None:
    # given: a top-up of 25.00 paid at Stripe
    body, event = paid_top_up(api, stripe_on)
    # when
    response = deliver(gamma, event)
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "status": "processed", "outcome": "approved"}
    assert balance(api) == "30.00"
    assert ledger(api)[0] == ("top_up", "25.00", f"wallet-top-up:{body['id']}")
    assert notified(gamma, customer) == [("wallet.topped_up", {"amount": "25.00", "currency": "USD"})]
    assert top_ups(gamma) == [("25.00", True)]


def test_the_same_event_delivered_twice_credits_once(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient, deliver: Deliver
) -> None:
    # given: the event was processed once
    body, event = paid_top_up(api, stripe_on)
    assert deliver(gamma, event).json()["outcome"] == "approved"
    # when: Stripe delivers it again
    replay = deliver(gamma, event)
    # then
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "status": "duplicate", "outcome": ""}
    assert balance(api) == "30.00"
    assert [ref for _, _, ref in ledger(api)].count(f"wallet-top-up:{body['id']}") == 1
    assert len(notified(gamma, customer)) == 1


def test_a_second_success_event_for_the_same_intent_credits_once(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient, deliver: Deliver
) -> None:
    # given: the intent's success was processed
    _, event = paid_top_up(api, stripe_on)
    assert deliver(gamma, event).json()["outcome"] == "approved"
    # when: another event (a new id) says the same intent succeeded
    again = deliver(gamma, intent_event(event["data"]["object"], "payment_intent.succeeded", event_id="evt_again"))
    # then
    assert again.json() == {"received": True, "status": "processed", "outcome": "already_approved"}
    assert balance(api) == "30.00"
    assert len(notified(gamma, customer)) == 1


@pytest.mark.parametrize("ending", ["payment_intent.payment_failed", "payment_intent.canceled"])
def test_a_failed_or_cancelled_card_payment_credits_nothing(
    gamma: Tenant, customer: User, api: Api, stripe_on: stripe.StripeClient, deliver: Deliver, ending: str
) -> None:
    # given: the card was declined, or the intent cancelled, at Stripe
    body = start(api, "25.00").json()
    if ending == "payment_intent.payment_failed":
        assert pay_intent(stripe_on, body["payment_intent_id"], card=DECLINED) != "succeeded"
        event = fake_event(stripe_on, body["payment_intent_id"], ending)
    else:
        # localstripe records no event for a cancellation: it is built around the cancelled intent
        cancelled = stripe_on.v1.payment_intents.cancel(body["payment_intent_id"]).to_dict()
        assert cancelled["status"] == "canceled"
        event = intent_event(cancelled, ending, event_id="evt_cancelled")
    # when
    response = deliver(gamma, event)
    # then
    assert response.json() == {"received": True, "status": "processed", "outcome": "rejected"}
    assert balance(api) == "5.00"
    assert len(ledger(api)) == 1
    assert notified(gamma, customer) == []
    assert top_ups(gamma) == [("25.00", False)]


# --- Between store tenants -----------------------------------------------------------------------


def test_gammas_top_up_is_never_credited_through_delta(
    gamma: Tenant,
    delta: Tenant,
    customer: User,
    api: Api,
    client_for: ClientFor,
    login: Login,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: gamma's top-up paid at Stripe; delta has a customer with the same e-mail
    twin = create_in(delta, CustomerFactory, email=EMAIL, funds="5.00")
    twin_client = client_for(delta, login(delta, EMAIL)["access"])
    _, event = paid_top_up(api, stripe_on)
    # when: the event reaches delta's endpoint (one Stripe account: every endpoint gets every event)
    response = deliver(delta, event)
    # then: 200 so Stripe does not retry, and nothing moved on either side
    assert response.status_code == 200
    assert response.json() == {"received": True, "status": "ignored", "outcome": "other_tenant"}
    assert balance(api) == "5.00" and top_ups(gamma) == [("25.00", False)]
    assert twin_client.get(WALLET).json()["balance"] == "5.00"
    assert top_ups(delta) == [] and notified(delta, twin) == []
    # and gamma's own endpoint still credits it, once
    assert deliver(gamma, event).json()["outcome"] == "approved"
    assert balance(api) == "30.00"
    assert twin_client.get(WALLET).json()["balance"] == "5.00"


def test_an_event_claiming_delta_for_gammas_intent_changes_nothing(
    gamma: Tenant,
    delta: Tenant,
    customer: User,
    api: Api,
    client_for: ClientFor,
    login: Login,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: gamma's paid intent, in a (validly signed) event whose metadata names delta and its uuid
    _, event = paid_top_up(api, stripe_on)
    create_in(delta, CustomerFactory, email=EMAIL, funds="5.00")
    intent = dict(event["data"]["object"])
    intent["metadata"] = {**intent["metadata"], "tenant": "delta", "tenant_uuid": str(delta.uuid)}
    # when
    response = deliver(delta, intent_event(intent, "payment_intent.succeeded", event_id="evt_relabelled"))
    # then: delta knows no payment of that intent
    assert response.json() == {"received": True, "status": "processed", "outcome": "unknown_payment"}
    assert top_ups(delta) == [] and balance(api) == "5.00"
    assert client_for(delta, login(delta, EMAIL)["access"]).get(WALLET).json()["balance"] == "5.00"
