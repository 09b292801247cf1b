"""Card payments on a site with a connected Stripe account (issue 16, point 5): a direct charge on the
site's account with the platform's application fee, its events through the platform's Connect
webhook, refunds on the same account. Stripe's answers are recorded responses
(``tests/stripe_connect.py``: localstripe has no accounts and refuses ``application_fee_amount``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import responses
from django.core.management import call_command
from pytest_django import Settings
from rest_framework.test import APIClient

from saas.db.tenant import in_tenant
from shared_apps.tenancy.models import Tenant
from tenant_apps.payments.models import Invoice, Payment, StripeEvent
from tenant_apps.payments.services import payment_refund
from tests.factories import create_in
from tests.factories.rental_bookings import BookingFactory
from tests.fixture_types import ApiAs, ApiResponse, ClientFor, Deliver, MakeInvoice, MakeUser
from tests.stripe_connect import (
    API,
    CONNECT_WEBHOOK,
    connect_event,
    connect_site,
    fixture,
    form,
    intent_echo,
    metadata_of,
    recorded_stripe,
    sign,
)
from tests.tenant_apps.payments.conftest import INVOICES, error_code, refreshed

ALPHA_ACCOUNT = "acct_1QconnectAlpha01"
BETA_ACCOUNT = "acct_1QconnectBeta001"


@pytest.fixture
def stripe_api(settings: Settings) -> Iterator[responses.RequestsMock]:
    yield from recorded_stripe(settings)


@pytest.fixture
def intents(stripe_api: responses.RequestsMock) -> responses.RequestsMock:
    """``POST /v1/payment_intents`` answered with the recorded connected intent, echoing what was asked."""
    stripe_api.add_callback(
        responses.POST, f"{API}/v1/payment_intents", callback=intent_echo, content_type="application/json"
    )
    return stripe_api


def _pay_by_card(api: ApiAs, tenant: Tenant, email: str, invoice: Invoice) -> ApiResponse:
    return api(tenant, email).post(f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {}, format="json")


def _succeeded(stripe_api: responses.RequestsMock, intent_id: str) -> dict[str, Any]:
    """The succeeded PaymentIntent ``intent_id`` as Stripe would send it: what we asked for, paid."""
    sent = next(c.request for c in stripe_api.calls if c.request.url == f"{API}/v1/payment_intents")
    intent = fixture("payment_intent_connected")
    amount = int(form(sent)["amount"])
    intent.update(
        id=intent_id,
        amount=amount,
        amount_received=amount,
        currency=form(sent)["currency"],
        metadata=metadata_of(sent),
        application_fee_amount=int(form(sent)["application_fee_amount"]),
        status="succeeded",
        latest_charge="ch_3QconnectAlpha0101",
    )
    return intent


def _deliver_connect(client_for: ClientFor, event: dict[str, Any]) -> ApiResponse:
    body = json.dumps(event)
    return client_for(None).generic(
        "POST", CONNECT_WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )


@pytest.fixture
def started(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, make_invoice: MakeInvoice, intents: responses.RequestsMock
) -> SimpleNamespace:
    """alpha connected on a 3% plan; the student started paying a 150.00 invoice by card."""
    connect_site(alpha, account_id=ALPHA_ACCOUNT, fee="3.00")
    invoice = make_invoice(alpha, people.student, total="150.00", currency="USD")
    response = _pay_by_card(api, alpha, "student@alpha.test", invoice)
    assert response.status_code == 201, response.content
    intent_id = response.json()["payment_intent_id"]
    return SimpleNamespace(invoice=invoice, intent_id=intent_id, intent=_succeeded(intents, intent_id))


def test_a_school_invoice_paid_by_card_is_charged_on_the_sites_account_with_the_platform_fee(
    alpha: Tenant, started: SimpleNamespace, intents: responses.RequestsMock
) -> None:
    # then: one direct charge on alpha's account, 150.00 USD with 3% = 450 cents to the platform
    (call,) = [c for c in intents.calls if c.request.url == f"{API}/v1/payment_intents"]
    assert call.request.headers["Stripe-Account"] == ALPHA_ACCOUNT
    sent = form(call.request)
    assert (sent["amount"], sent["currency"], sent["application_fee_amount"]) == ("15000", "usd", "450")
    assert "customer" not in sent  # a platform Customer cannot be charged on the connected account
    assert metadata_of(call.request)["tenant_uuid"] == str(alpha.uuid)
    with in_tenant(alpha):
        payment = Payment.objects.get(stripe_payment_intent_id=started.intent_id)
    assert (payment.stripe_account_id, payment.application_fee, payment.status) == (
        ALPHA_ACCOUNT,
        Decimal("4.50"),
        "pending",
    )


@pytest.mark.parametrize(("total", "percent", "fee"), [("10.01", "2.50", "25"), ("0.50", "0.00", None)])
def test_the_fee_is_the_plans_percent_rounded_half_up_in_cents(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    intents: responses.RequestsMock,
    total: str,
    percent: str,
    fee: str | None,
) -> None:
    # given: 1001 cents at 2.5% = 25.025 -> 25; a 0% plan sends no fee at all
    connect_site(alpha, account_id=ALPHA_ACCOUNT, fee=percent)
    invoice = make_invoice(alpha, people.student, total=total, currency="USD")
    # when
    response = _pay_by_card(api, alpha, "student@alpha.test", invoice)
    # then
    assert response.status_code == 201, response.content
    assert form(intents.calls[0].request).get("application_fee_amount") == fee


def test_the_connect_webhook_marks_the_invoice_paid_in_the_right_tenant_and_a_replay_is_a_duplicate(
    alpha: Tenant, started: SimpleNamespace, client_for: ClientFor
) -> None:
    # given
    event = connect_event(started.intent, "payment_intent.succeeded", account=ALPHA_ACCOUNT)
    # when
    first = _deliver_connect(client_for, event)
    replay = _deliver_connect(client_for, event)
    # then
    assert first.json() == {"received": True, "status": "processed", "outcome": "approved"}
    assert replay.json() == {"received": True, "status": "duplicate", "outcome": ""}
    assert refreshed(alpha, started.invoice).status == "paid"
    with in_tenant(alpha):
        assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1


def test_a_connect_event_routed_to_another_tenant_or_naming_another_tenant_changes_nothing(
    alpha: Tenant, beta: Tenant, started: SimpleNamespace, client_for: ClientFor
) -> None:
    # given: beta is connected too
    connect_site(beta, account_id=BETA_ACCOUNT, fee="1.00")
    on_betas_account = connect_event(started.intent, "payment_intent.succeeded", account=BETA_ACCOUNT)
    naming_beta = json.loads(json.dumps(started.intent))
    naming_beta["metadata"]["tenant_uuid"] = str(beta.uuid)
    betas_uuid_on_alpha = connect_event(naming_beta, "payment_intent.succeeded", account=ALPHA_ACCOUNT)
    unknown = connect_event(started.intent, "payment_intent.succeeded", account="acct_1Qnobody0000000")
    # when
    answers = [_deliver_connect(client_for, e) for e in (on_betas_account, betas_uuid_on_alpha, unknown)]
    # then
    assert [(r.status_code, r.json()["status"], r.json()["outcome"]) for r in answers] == [
        (200, "ignored", "tenant_mismatch"),
        (200, "ignored", "tenant_mismatch"),
        (200, "ignored", "unknown_account"),
    ]
    assert refreshed(alpha, started.invoice).status == "unpaid"
    for tenant in (alpha, beta):
        with in_tenant(tenant):
            assert not StripeEvent.objects.exists()


def test_the_sites_own_webhook_does_not_apply_an_event_of_a_connected_payment(
    alpha: Tenant, started: SimpleNamespace, deliver: Deliver
) -> None:
    # given: the connected payment's event, sent to the per-site endpoint as a platform event
    event = connect_event(started.intent, "payment_intent.succeeded", account=None)
    # when
    response = deliver(alpha, event)
    # then
    assert response.json() == {"received": True, "status": "processed", "outcome": "account_mismatch"}
    assert refreshed(alpha, started.invoice).status == "unpaid"


def test_a_refund_of_a_connected_payment_goes_to_the_same_account(
    alpha: Tenant, started: SimpleNamespace, client_for: ClientFor, intents: responses.RequestsMock
) -> None:
    # given: paid through the Connect webhook
    _deliver_connect(client_for, connect_event(started.intent, "payment_intent.succeeded", account=ALPHA_ACCOUNT))
    intents.add(responses.POST, f"{API}/v1/refunds", json=fixture("refund"))
    # when
    with in_tenant(alpha):
        payment = Payment.objects.get(stripe_payment_intent_id=started.intent_id)
        refund = payment_refund(payment=payment, amount="50.00", reason="changed course")
    # then
    call = next(c for c in intents.calls if c.request.url == f"{API}/v1/refunds")
    assert call.request.headers["Stripe-Account"] == ALPHA_ACCOUNT
    assert form(call.request)["payment_intent"] == started.intent_id
    assert form(call.request)["amount"] == "5000"
    assert (refund.stripe_refund_id, refund.status) == ("re_3QconnectAlpha0101", "succeeded")


def test_a_second_start_reuses_the_unpaid_intent_from_the_connected_account(
    alpha: Tenant, people: SimpleNamespace, api: ApiAs, started: SimpleNamespace, intents: responses.RequestsMock
) -> None:
    # given
    unpaid = started.intent | {"status": "requires_payment_method", "amount_received": 0}
    intents.add(responses.GET, f"{API}/v1/payment_intents/{started.intent_id}", json=unpaid)
    # when
    again = _pay_by_card(api, alpha, "student@alpha.test", started.invoice)
    # then
    assert again.status_code == 200, again.content
    assert again.json()["payment_intent_id"] == started.intent_id
    retrieve = next(c for c in intents.calls if c.request.method == "GET")
    assert retrieve.request.headers["Stripe-Account"] == ALPHA_ACCOUNT


# --- Before connecting ----------------------------------------------------------------------------


def test_before_connecting_without_the_fallback_a_card_payment_is_refused_and_nothing_is_written(
    alpha: Tenant,
    gamma: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    settings: Settings,
    stripe_api: responses.RequestsMock,
) -> None:
    # given
    settings.STRIPE_CONNECT_PLATFORM_FALLBACK = False
    invoice = make_invoice(alpha, people.student, total="150.00", currency="USD")
    with in_tenant(gamma):
        invoices_before = Invoice.objects.count()
    # when
    school = _pay_by_card(api, alpha, "student@alpha.test", invoice)
    store = api(gamma, "customer@gamma.test").post("/api/v1/wallet/top-up/card/", {"amount": "20.00"}, format="json")
    # then
    assert (school.status_code, error_code(school)) == (409, "stripe_account_not_connected")
    assert (store.status_code, error_code(store)) == (409, "stripe_account_not_connected")
    with in_tenant(alpha):
        assert not Payment.objects.filter(invoice_id=invoice.pk).exists()
    with in_tenant(gamma):
        assert Invoice.objects.count() == invoices_before
    assert len(stripe_api.calls) == 0


def test_before_connecting_with_the_fallback_the_platform_account_takes_the_payment(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    settings: Settings,
    intents: responses.RequestsMock,
) -> None:
    # given
    settings.STRIPE_CONNECT_PLATFORM_FALLBACK = True
    intents.add(responses.POST, f"{API}/v1/customers", json={"id": "cus_Recorded0001", "object": "customer"})
    invoice = make_invoice(alpha, people.student, total="150.00", currency="USD")
    # when
    response = _pay_by_card(api, alpha, "student@alpha.test", invoice)
    # then
    assert response.status_code == 201, response.content
    call = next(c for c in intents.calls if c.request.url == f"{API}/v1/payment_intents")
    assert "Stripe-Account" not in call.request.headers
    assert "application_fee_amount" not in form(call.request)
    assert form(call.request)["customer"] == "cus_Recorded0001"
    with in_tenant(alpha):
        payment = Payment.objects.get(invoice_id=invoice.pk)
    assert (payment.stripe_account_id, payment.application_fee) == ("", None)


def test_the_connect_webhook_refuses_a_delivery_signed_with_another_secret(
    alpha: Tenant, started: SimpleNamespace, client_for: ClientFor, make_user: MakeUser
) -> None:
    # given: signed with the per-site payments secret, not the Connect one
    body = json.dumps(connect_event(started.intent, "payment_intent.succeeded", account=ALPHA_ACCOUNT))
    # when
    response = client_for(None).generic(
        "POST",
        CONNECT_WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, secret="whsec_test_secret"),
    )
    # then
    assert (response.status_code, error_code(response)) == (400, "invalid_signature")
    assert refreshed(alpha, started.invoice).status == "unpaid"


# --- manage.py stripe_test_webhook --account: the walk-through's Connect delivery ---------------------


@pytest.fixture
def webhook_posts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Route the command's HTTP POST into the test client (no server runs in tests); records each call."""
    from tenant_apps.payments.management.commands import stripe_test_webhook

    calls = []

    def post(url: str, data: bytes, headers: dict[str, str], timeout: float) -> SimpleNamespace:
        calls.append({"url": url, "headers": headers})
        client = APIClient(HTTP_HOST=headers["Host"].split(":")[0])
        response = client.generic(
            "POST",
            "/" + url.split("/", 3)[3],
            data.decode(),
            content_type=headers["Content-Type"],
            HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
        )
        return SimpleNamespace(status_code=response.status_code, text=response.content.decode())

    monkeypatch.setattr(stripe_test_webhook.requests, "post", post)
    return calls


def test_the_test_webhook_command_sends_a_connect_event_for_an_account_to_the_connect_webhook(
    alpha: Tenant,
    started: SimpleNamespace,
    intents: responses.RequestsMock,
    webhook_posts: list[dict[str, Any]],
) -> None:
    # given: Stripe has the intent paid on alpha's account
    intents.add(responses.GET, f"{API}/v1/payment_intents/{started.intent_id}", json=started.intent)
    out = StringIO()
    # when
    call_command("stripe_test_webhook", "--account", ALPHA_ACCOUNT, "--payment-intent", started.intent_id, stdout=out)
    # then
    assert webhook_posts[0]["url"] == "http://127.0.0.1:8000/api/v1/billing/stripe/connect/webhook/"
    assert webhook_posts[0]["headers"]["Host"] == "localhost:8000"
    assert '"outcome":"approved"' in out.getvalue()
    retrieve = next(c for c in intents.calls if c.request.method == "GET")
    assert retrieve.request.headers["Stripe-Account"] == ALPHA_ACCOUNT
    assert refreshed(alpha, started.invoice).status == "paid"


# --- Every kind's card flow goes through payment_stripe_start -----------------------------------------


def _start_card_flow(kind: str, tenants: dict[str, Tenant], make_user: MakeUser, api: ApiAs) -> ApiResponse:
    """Start the card payment of ``kind``'s own flow through its endpoint, as its payer."""
    if kind == "store":
        make_user(tenants["gamma"], "buyer@gamma.test", roles=["customer"])
        return api(tenants["gamma"], "buyer@gamma.test").post(
            "/api/v1/wallet/top-up/card/", {"amount": "20.00"}, format="json"
        )
    if kind == "writing":
        make_user(tenants["golf"], "client@golf.test", roles=["client"])
        return api(tenants["golf"], "client@golf.test").post(
            "/api/v1/wallet/top-ups/", {"amount": "20.00"}, format="json"
        )
    guest = make_user(tenants["echo"], "guest@echo.test", roles=["guest"])
    booking = create_in(tenants["echo"], BookingFactory, guest=guest)
    return api(tenants["echo"], "guest@echo.test").post(f"/api/v1/bookings/{booking.pk}/pay/", {}, format="json")


SITE_OF_KIND = {"store": "gamma", "writing": "golf", "rental": "echo"}


@pytest.mark.parametrize("kind", ["store", "writing", "rental"])
def test_every_kinds_card_flow_is_charged_on_the_sites_connected_account(
    session_tenants: dict[str, Tenant],
    db: None,
    make_user: MakeUser,
    api: ApiAs,
    intents: responses.RequestsMock,
    kind: str,
) -> None:
    # given
    connect_site(session_tenants[SITE_OF_KIND[kind]], account_id="acct_1QconnectKind001", fee="2.00")
    # when
    response = _start_card_flow(kind, session_tenants, make_user, api)
    # then
    assert response.status_code in {200, 201}, response.content
    call = next(c for c in intents.calls if c.request.url == f"{API}/v1/payment_intents")
    assert call.request.headers["Stripe-Account"] == "acct_1QconnectKind001"
    sent = form(call.request)
    assert int(sent["application_fee_amount"]) == (int(sent["amount"]) * 2 + 50) // 100


@pytest.mark.parametrize("kind", ["store", "writing", "rental"])
def test_every_kinds_card_flow_is_refused_before_connecting_without_the_fallback(
    session_tenants: dict[str, Tenant],
    db: None,
    make_user: MakeUser,
    api: ApiAs,
    settings: Settings,
    stripe_api: responses.RequestsMock,
    kind: str,
) -> None:
    # given
    settings.STRIPE_CONNECT_PLATFORM_FALLBACK = False
    # when
    response = _start_card_flow(kind, session_tenants, make_user, api)
    # then
    assert (response.status_code, error_code(response)) == (409, "stripe_account_not_connected")
    with in_tenant(session_tenants[SITE_OF_KIND[kind]]):
        assert not Payment.objects.exists()
    assert len(stripe_api.calls) == 0
