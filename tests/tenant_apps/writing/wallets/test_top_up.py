"""A client tops up their wallet by card: ``POST /wallet/top-ups/`` issues an invoice and a
PaymentIntent (localstripe); Stripe's signed webhook (``payment_intent.succeeded``) pays the
invoice and ``invoice_paid`` credits the wallet once (``top_up``, ledger reference
``writing_top_up:<id>``); ``GET`` lists the client's top-ups with their status."""

from __future__ import annotations

from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.writing.pricing.models import PricingSettings
from tests.fixture_types import Deliver
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.wallets.conftest import TOP_UPS, amounts, books_balance, error_code

_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


def test_a_client_tops_up_by_card_and_the_webhook_credits_the_wallet_once(
    writing: Writing,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: cleo's empty wallet
    cleo = writing.client("cleo")
    # when: she asks for a top-up of 50.00
    started = cleo.post(TOP_UPS, {"amount": "50.00"}, format="json")
    # then: a pending top-up, its invoice and a PaymentIntent of 5000 cents
    assert started.status_code == 201, started.content
    body = started.json()
    top_up = body["top_up"]
    assert (top_up["amount"], top_up["currency"], top_up["status"]) == ("50.00", "USD", "pending")
    assert top_up["invoice"]["status"] == "unpaid" and top_up["invoice"]["number"].startswith("INV-")
    assert body["client_secret"]
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert (intent["amount"], intent["currency"]) == (5000, "usd")
    assert amounts(writing, "cleo") == (Decimal("0"), Decimal("0"))  # nothing before the event
    assert mail.outbox == []  # the unpaid invoice is not e-mailed
    # when: she pays at Stripe and Stripe's signed event arrives
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(writing.tenant, event)
    # then: the wallet holds 50.00, the top-up is credited, its invoice paid, cleo told
    assert outcome.json()["outcome"] == "approved"
    assert amounts(writing, "cleo") == (Decimal("50.00"), Decimal("0.00"))
    listed = cleo.get(TOP_UPS).json()["results"]
    assert [(t["id"], t["status"], t["invoice"]["status"]) for t in listed] == [(top_up["id"], "credited", "paid")]
    assert listed[0]["credited_at"] is not None
    with tenant_context(writing.tenant):
        entries = LedgerEntry.objects.filter(reference=f"writing_top_up:{top_up['id']}")
        assert [(e.kind, e.balance_delta) for e in entries] == [("top_up", Decimal("50.00"))]
        assert Notification.objects.filter(recipient=writing.cleo, verb="writing_top_up.credited").count() == 1
        assert AuditLogEntry.objects.filter(verb="writing_top_up.credited", target_id=str(top_up["id"])).count() == 1
    # and the paid invoice is e-mailed to cleo with its PDF
    number = top_up["invoice"]["number"]
    (message,) = [m for m in mail.outbox if number in m.subject]
    assert message.to == [writing.cleo.email]
    assert [(name, kind) for name, _, kind in message.attachments] == [(f"{number}.pdf", "application/pdf")]
    # and a replay of the event credits nothing more
    assert deliver(writing.tenant, event).status_code == 200
    assert amounts(writing, "cleo") == (Decimal("50.00"), Decimal("0.00"))
    assert books_balance(writing)


def test_a_failed_card_payment_leaves_the_top_up_pending_and_the_wallet_empty(
    writing: Writing, stripe_on: stripe.StripeClient, deliver: Deliver
) -> None:
    # given
    body = writing.client("cleo").post(TOP_UPS, {"amount": "20.00"}, format="json").json()
    # when: the card is declined
    assert pay_intent(stripe_on, body["payment_intent_id"], card="4000000000000341") != "succeeded"
    deliver(writing.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.payment_failed"))
    # then
    assert writing.client("cleo").get(TOP_UPS).json()["results"][0]["status"] == "pending"
    assert amounts(writing, "cleo") == (Decimal("0"), Decimal("0"))


@pytest.mark.parametrize("amount", ["4.99", "5000.01", "0", "-10.00", "10.005"])
def test_a_top_up_outside_the_limits_or_the_currency_step_is_refused(
    writing: Writing, stripe_on: stripe.StripeClient, amount: str
) -> None:
    response = writing.client("cleo").post(TOP_UPS, {"amount": amount}, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"invalid_amount", "validation_error"}
    with tenant_context(writing.tenant):
        assert not Invoice.objects.filter(customer=writing.cleo).exists()


def test_the_limits_are_settings(writing: Writing, stripe_on: stripe.StripeClient, settings: Settings) -> None:
    settings.WRITING_TOP_UP_MIN = "100.00"
    response = writing.client("cleo").post(TOP_UPS, {"amount": "50.00"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"amount": ["From 100.00 to 5000.00."]}


@pytest.mark.parametrize("who", ["wren", "eddie", "sue", "admin"])
def test_only_clients_top_up_by_card(writing: Writing, stripe_on: stripe.StripeClient, who: str) -> None:
    response = writing.client(who).post(TOP_UPS, {"amount": "50.00"}, format="json")
    assert response.status_code == 403
    assert writing.client(who).get(TOP_UPS).json()["results"] == []


def test_anonymous_users_are_refused(writing: Writing) -> None:
    assert writing.client(None).get(TOP_UPS).status_code == 401
    assert writing.client(None).post(TOP_UPS, {"amount": "50.00"}, format="json").status_code == 401


def test_a_client_lists_only_their_own_top_ups(writing: Writing, stripe_on: stripe.StripeClient) -> None:
    # given
    mine = writing.client("cleo").post(TOP_UPS, {"amount": "10.00"}, format="json").json()["top_up"]["id"]
    writing.client("carl").post(TOP_UPS, {"amount": "30.00"}, format="json")
    # then
    assert [t["id"] for t in writing.client("cleo").get(TOP_UPS).json()["results"]] == [mine]


def test_without_card_payments_a_top_up_answers_503_and_leaves_nothing(writing: Writing) -> None:
    response = writing.client("cleo").post(TOP_UPS, {"amount": "50.00"}, format="json")
    assert response.status_code == 503
    assert error_code(response) == "payments_unavailable"
    assert writing.client("cleo").get(TOP_UPS).json()["results"] == []
    with tenant_context(writing.tenant):
        assert not Invoice.objects.filter(customer=writing.cleo).exists()


def test_a_top_up_is_in_the_pricing_currency_and_refused_for_a_wallet_in_another(
    writing: Writing, stripe_on: stripe.StripeClient
) -> None:
    # given: the site's prices switched to EUR while wallets hold USD
    with tenant_context(writing.tenant):
        PricingSettings.objects.filter(pk=1).update(currency="EUR")
    # when
    response = writing.client("cleo").post(TOP_UPS, {"amount": "50.00"}, format="json")
    # then
    assert response.status_code == 409
    assert error_code(response) == "currency_mismatch"
    assert response.json()["error"]["details"] == {"wallet_currency": "USD", "currency": "EUR"}


@pytest.mark.parametrize(
    "body", [{}, {"amount": "abc"}, {"amount": "٥٠"}, {"amount": True}, {"amount": "1e3"}, {"amount": None}]
)
def test_a_malformed_amount_answers_400(writing: Writing, stripe_on: stripe.StripeClient, body: object) -> None:
    response = writing.client("cleo").post(TOP_UPS, body, format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"
