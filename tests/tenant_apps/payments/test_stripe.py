"""Card payments through Stripe (localstripe here) and the per-tenant, signed, exactly-once webhook."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Protocol

import pytest
import stripe
from django.core import mail
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from shared_apps.tenancy.models import Tenant
from tenant_apps.payments.models import Invoice, Payment
from tests.fixture_types import ApiAs, ApiResponse, Deliver, MakeInvoice, SubmitOffline
from tests.tenant_apps.payments.conftest import (
    INVOICES,
    PAYMENTS,
    error_code,
    fake_event,
    intent_event,
    pay_intent,
    pdf_text,
    refreshed,
    sign,
    status_from_payments,
)


class Checkout(Protocol):
    """``checkout(tenant, email, invoice, amount=None)``: the answer of POST .../stripe-payment-intent/."""

    def __call__(self, tenant: Tenant, email: str, invoice: Invoice, amount: str | None = None) -> ApiResponse: ...


@pytest.fixture
def checkout(api: ApiAs) -> Checkout:
    """``checkout(tenant, email, invoice, amount=None)``: POST .../stripe-payment-intent/."""

    def start(tenant: Tenant, email: str, invoice: Invoice, amount: str | None = None) -> ApiResponse:
        body = {} if amount is None else {"amount": amount}
        return api(tenant, email).post(f"{INVOICES}{invoice.pk}/stripe-payment-intent/", body)

    return start


def _events(tenant: Tenant) -> list[tuple[str, str]]:
    from tenant_apps.payments.models import StripeEvent

    with tenant_context(tenant):
        return list(StripeEvent.objects.values_list("event_id", "outcome"))


def _payment(tenant: Tenant, pk: int) -> Payment:
    from tenant_apps.payments.models import Payment

    with tenant_context(tenant):
        return Payment.objects.get(pk=pk)


def _side_effects(tenant: Tenant) -> tuple[int, int]:
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    with tenant_context(tenant):
        return AuditLogEntry.objects.count(), Notification.objects.count()


def test_without_a_secret_key_online_payments_are_unavailable(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, checkout: Checkout
) -> None:
    # given: the default test settings have no STRIPE_SECRET_KEY
    invoice = make_invoice(alpha, people.student)
    # when
    response = checkout(alpha, "student@alpha.test", invoice, "10.00")
    # then
    assert response.status_code == 503 and error_code(response) == "payments_unavailable"
    with tenant_context(alpha):
        assert not invoice.payments.exists()


def test_a_card_payment_creates_a_payment_intent_in_minor_units_with_tenant_metadata(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    # when
    response = checkout(alpha, "student@alpha.test", invoice, "49.99")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    payment = body["payment"]
    assert (payment["status"], payment["method"], payment["amount"]) == ("pending", "stripe", "49.99")
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert (intent["amount"], intent["currency"], intent["client_secret"]) == (4999, "usd", body["client_secret"])
    assert intent["metadata"] == {
        "tenant": "alpha",
        "tenant_uuid": str(alpha.uuid),
        "invoice": str(invoice.pk),
        "payment": str(payment["id"]),
        "invoice_number": invoice.number,
    }
    assert payment["stripe_payment_intent_id"] == intent["id"]
    # the amount is reserved, not paid: 50.01 is left to submit
    detail = api(alpha, "student@alpha.test").get(f"{INVOICES}{invoice.pk}/").json()
    assert (detail["status"], detail["amount_pending"], detail["open_amount"]) == ("unpaid", "49.99", "50.01")


def test_without_an_amount_the_intent_covers_everything_open_and_a_returning_payer_gets_it_again(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    submit_offline: SubmitOffline,
    stripe_on: stripe.StripeClient,
) -> None:
    # given: 30.00 of 100.00 pending offline
    invoice = make_invoice(alpha, people.student)
    assert submit_offline(alpha, "student@alpha.test", invoice, "30.00").status_code == 201
    # when
    first = checkout(alpha, "student@alpha.test", invoice)
    again = checkout(alpha, "student@alpha.test", invoice)
    # then
    assert first.status_code == 201 and first.json()["payment"]["amount"] == "70.00"
    assert again.status_code == 200
    assert again.json()["payment"]["id"] == first.json()["payment"]["id"]
    assert again.json()["client_secret"] == first.json()["client_secret"]


def test_a_card_payment_beyond_the_open_amount_is_refused(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    assert checkout(alpha, "student@alpha.test", invoice, "80.00").status_code == 201
    # when
    response = checkout(alpha, "student@alpha.test", invoice, "20.01")
    # then
    assert response.status_code == 409 and error_code(response) == "overpayment"


def test_an_unreachable_stripe_leaves_no_payment_behind(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, checkout: Checkout, settings: Settings
) -> None:
    # given: a key, but Stripe's base URL is a closed local port
    settings.STRIPE_SECRET_KEY = "sk_test_unreachable"
    invoice = make_invoice(alpha, people.student)
    # when
    response = checkout(alpha, "student@alpha.test", invoice, "10.00")
    # then
    assert response.status_code == 502 and error_code(response) == "payment_provider_error"
    with tenant_context(alpha):
        assert not invoice.payments.exists()


def test_succeeded_event_approves_the_payment_and_pays_the_invoice(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: the card payment succeeded at Stripe
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(alpha, event)
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "status": "processed", "outcome": "approved"}
    payment = _payment(alpha, body["payment"]["id"])
    assert (payment.status, payment.decided_by_id) == ("approved", None)
    invoice = refreshed(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("100.00"))
    assert _events(alpha) == [(event["id"], "approved")]
    assert [m.subject for m in mail.outbox] == [f"Invoice {invoice.number} is paid"]


def test_half_offline_and_half_by_card_pays_the_invoice_and_emails_its_pdf(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    submit_offline: SubmitOffline,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: an invoice of 120.00; half paid by bank transfer and approved by the financial user
    invoice = make_invoice(alpha, people.student, total="120.00")
    offline = submit_offline(alpha, "student@alpha.test", invoice, "60.00").json()
    with django_capture_on_commit_callbacks(execute=True):
        assert api(alpha, "financial@alpha.test").post(f"{PAYMENTS}{offline['id']}/approve/").status_code == 200
    assert refreshed(alpha, invoice).status == "partially_paid"
    assert mail.outbox == []  # partially paid: no e-mail yet
    # ... the other half by card
    card = checkout(alpha, "student@alpha.test", invoice, "60.00").json()
    pay_intent(stripe_on, card["payment_intent_id"])
    event = fake_event(stripe_on, card["payment_intent_id"], "payment_intent.succeeded")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(alpha, event)
    # then
    assert response.json()["outcome"] == "approved"
    invoice = refreshed(alpha, invoice)
    assert (invoice.status, invoice.amount_paid) == ("paid", Decimal("120.00"))
    assert status_from_payments(alpha, invoice) == (Decimal("120.00"), "paid")
    (message,) = mail.outbox
    assert message.to == ["student@alpha.test"]
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert "Paid" in pdf_text(content) and "120.00 USD" in pdf_text(content)


@pytest.mark.parametrize("tamper", ["wrong_secret", "no_header", "stale", "body_changed", "garbage_header"])
def test_a_badly_signed_event_is_refused_and_changes_nothing(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    tamper: str,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    pay_intent(stripe_on, body["payment_intent_id"])
    payload = json.dumps(fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    signature = {
        "wrong_secret": sign(payload, secret="whsec_someone_else"),
        "no_header": "",
        "stale": sign(payload, timestamp=int(time.time()) - 600),
        "body_changed": sign(payload.replace('"amount": 10000', '"amount": 1')),
        "garbage_header": "nonsense",
    }[tamper]
    # when
    response = deliver(alpha, payload=payload, signature=signature)
    # then
    assert response.status_code == 400, response.content
    assert error_code(response) == "invalid_signature"
    assert _payment(alpha, body["payment"]["id"]).status == "pending"
    assert _events(alpha) == []


def test_a_replayed_event_is_a_no_op(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: the event was processed once
    invoice = make_invoice(alpha, people.student, total="50.00")
    body = checkout(alpha, "student@alpha.test", invoice, "20.00").json()
    pay_intent(stripe_on, body["payment_intent_id"])
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    assert deliver(alpha, event).json()["outcome"] == "approved"
    before = _side_effects(alpha)
    # when: Stripe delivers it again (a fresh signature, as Stripe's retries have)
    replay = deliver(alpha, event)
    # then
    assert replay.status_code == 200
    assert replay.json() == {"received": True, "status": "duplicate", "outcome": ""}
    assert _side_effects(alpha) == before
    assert refreshed(alpha, invoice).amount_paid == Decimal("20.00")
    assert _events(alpha) == [(event["id"], "approved")]


def test_events_of_another_tenant_are_ignored(
    alpha: Tenant,
    beta: Tenant,
    gamma: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: alpha's card payment succeeded
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    pay_intent(stripe_on, body["payment_intent_id"])
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    # when: the event reaches beta's and gamma's endpoints (one Stripe account, every endpoint gets it)
    responses = [deliver(tenant, event) for tenant in (beta, gamma)]
    # then: 200 so Stripe does not retry, but nothing is written anywhere
    assert [r.json() for r in responses] == [{"received": True, "status": "ignored", "outcome": "other_tenant"}] * 2
    assert _events(beta) == [] and _events(gamma) == []
    assert _payment(alpha, body["payment"]["id"]).status == "pending"
    # and alpha's own endpoint still processes it
    assert deliver(alpha, event).json()["outcome"] == "approved"


def test_a_failed_card_payment_is_rejected_with_stripes_message_and_frees_its_amount(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    pay_intent(stripe_on, body["payment_intent_id"], card="4000000000000341")
    event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.payment_failed")
    # when
    response = deliver(alpha, event)
    # then
    assert response.json()["outcome"] == "rejected"
    payment = _payment(alpha, body["payment"]["id"])
    assert payment.status == "rejected"
    assert payment.reason.startswith("The card payment failed: ")
    assert refreshed(alpha, invoice).status == "unpaid"
    assert checkout(alpha, "student@alpha.test", invoice, "100.00").status_code == 201


def test_success_after_a_failure_on_the_same_intent_is_approved_when_the_invoice_has_room(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: a failed attempt, processed
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    pay_intent(stripe_on, body["payment_intent_id"], card="4000000000000341")
    failed = deliver(alpha, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.payment_failed"))
    assert failed.json()["outcome"] == "rejected"
    # ... then the payer retried the same intent with another card. localstripe cannot confirm a
    # declined intent again, so the success event is built around the intent as the fake holds it.
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    intent.update(status="succeeded", amount_received=intent["amount"], last_payment_error=None)
    # when
    response = deliver(alpha, intent_event(intent, "payment_intent.succeeded", event_id="evt_retry_ok"))
    # then
    assert response.json()["outcome"] == "approved"
    assert refreshed(alpha, invoice).status == "paid"


def test_success_of_a_rejected_payment_that_no_longer_fits_is_flagged_for_refund(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    submit_offline: SubmitOffline,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: an abandoned card checkout was rejected by hand, and the invoice was then paid offline
    invoice = make_invoice(alpha, people.student)
    card = checkout(alpha, "student@alpha.test", invoice).json()
    finance = api(alpha, "financial@alpha.test")
    assert finance.post(f"{PAYMENTS}{card['payment']['id']}/reject/", {"reason": "Abandoned"}).status_code == 200
    offline = submit_offline(alpha, "student@alpha.test", invoice, "100.00").json()
    assert finance.post(f"{PAYMENTS}{offline['id']}/approve/").status_code == 200
    # when: the card payment goes through after all
    pay_intent(stripe_on, card["payment_intent_id"])
    response = deliver(alpha, fake_event(stripe_on, card["payment_intent_id"], "payment_intent.succeeded"))
    # then: never overpaid; recorded for a refund
    assert response.json()["outcome"] == "refund_required"
    assert _payment(alpha, card["payment"]["id"]).status == "rejected"
    assert refreshed(alpha, invoice).amount_paid == Decimal("100.00")
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification

    with tenant_context(alpha):
        assert AuditLogEntry.objects.filter(verb="payment.refund_required").count() == 1
        assert list(
            Notification.objects.filter(verb="payment.refund_required").values_list("recipient__email", flat=True)
        ) == ["financial@alpha.test"]


def test_an_event_whose_amount_differs_from_the_payment_does_not_approve_it(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: a (validly signed) event claiming less money than the payment
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    intent.update(status="succeeded", amount=100, amount_received=100)
    # when
    response = deliver(alpha, intent_event(intent, "payment_intent.succeeded"))
    # then
    assert response.json()["outcome"] == "amount_mismatch"
    assert _payment(alpha, body["payment"]["id"]).status == "pending"


def test_an_event_for_an_unknown_intent_of_this_tenant_is_recorded_and_ignored(alpha: Tenant, deliver: Deliver) -> None:
    # given
    intent = {
        "id": "pi_unknown",
        "object": "payment_intent",
        "amount": 100,
        "currency": "usd",
        "metadata": {"tenant": "alpha", "invoice": "1", "payment": "1"},
    }
    # when
    response = deliver(alpha, intent_event(intent, "payment_intent.succeeded", event_id="evt_unknown"))
    # then
    assert response.json() == {"received": True, "status": "processed", "outcome": "unknown_payment"}
    assert _events(alpha) == [("evt_unknown", "unknown_payment")]


def test_without_a_webhook_secret_the_endpoint_refuses(alpha: Tenant, deliver: Deliver, settings: Settings) -> None:
    # given
    settings.STRIPE_WEBHOOK_SECRET = ""
    # when
    response = deliver(alpha, intent_event({"id": "pi_1", "object": "payment_intent"}, "payment_intent.succeeded"))
    # then
    assert response.status_code == 503 and error_code(response) == "payments_unavailable"


def test_card_payments_are_not_approved_by_hand(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
) -> None:
    # given
    invoice = make_invoice(alpha, people.student)
    body = checkout(alpha, "student@alpha.test", invoice).json()
    # when
    response = api(alpha, "financial@alpha.test").post(f"{PAYMENTS}{body['payment']['id']}/approve/")
    # then
    assert response.status_code == 409 and error_code(response) == "invalid_status_transition"


def test_a_success_delivered_three_times_and_a_stale_failure_after_it_pay_once(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    checkout: Checkout,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
) -> None:
    # given: a card payment that succeeded at Stripe
    invoice = make_invoice(alpha, people.student, total="50.00")
    body = checkout(alpha, "student@alpha.test", invoice, "50.00").json()
    pay_intent(stripe_on, body["payment_intent_id"])
    succeeded = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    stale = intent_event(
        {**intent, "status": "requires_payment_method", "last_payment_error": {"message": "declined"}},
        "payment_intent.payment_failed",
        event_id="evt_stale_failure",
    )
    stale["created"] = succeeded["created"] - 60  # an earlier attempt's failure, delivered late
    # when: Stripe delivers the success three times (its retries), then the stale failure
    answers = [deliver(alpha, succeeded).json()["status"] for _ in range(3)]
    late = deliver(alpha, stale)
    # then: paid once, and the late failure changes nothing
    assert answers == ["processed", "duplicate", "duplicate"]
    assert late.status_code == 200
    payment = _payment(alpha, body["payment"]["id"])
    assert payment.status == "approved"
    assert refreshed(alpha, invoice).amount_paid == Decimal("50.00")
    assert refreshed(alpha, invoice).status == "paid"
    from tenant_apps.notifications.models import Notification

    with tenant_context(alpha):
        assert Notification.objects.filter(recipient=people.student, verb="payment.approved").count() == 1
