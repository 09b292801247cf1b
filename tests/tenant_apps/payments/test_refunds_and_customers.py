"""Refunds of approved payments (through Stripe for cards) and the payer's reused Stripe Customer."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import stripe
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.payments.models import Payment, Refund, StripeCustomer
from tenant_apps.payments.services import payment_refund, refunded_amount
from tests.fixture_types import ApiAs, Deliver, MakeInvoice
from tests.tenant_apps.payments.conftest import INVOICES, fake_event, pay_intent


def _card_paid(
    tenant: Tenant,
    api: ApiAs,
    email: str,
    invoice_pk: int,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    capture: DjangoCaptureOnCommitCallbacks,
) -> Payment:
    body = api(tenant, email).post(f"{INVOICES}{invoice_pk}/stripe-payment-intent/", {}).json()
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    with capture(execute=True):
        assert (
            deliver(tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")).json()[
                "outcome"
            ]
            == "approved"
        )
    with tenant_context(tenant):
        return Payment.objects.get(pk=body["payment"]["id"])


def test_the_payer_gets_one_stripe_customer_created_on_the_first_card_payment_and_reused(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    api: ApiAs,
    stripe_on: stripe.StripeClient,
) -> None:
    # given two invoices of the student, who has never paid by card
    first, second = make_invoice(alpha, people.student), make_invoice(alpha, people.student)
    with tenant_context(alpha):
        assert not StripeCustomer.objects.filter(user=people.student).exists()
    # when they start a card payment on each
    one = api(alpha, "student@alpha.test").post(f"{INVOICES}{first.pk}/stripe-payment-intent/", {}).json()
    two = api(alpha, "student@alpha.test").post(f"{INVOICES}{second.pk}/stripe-payment-intent/", {}).json()
    # then one customer was created at Stripe, with the student's e-mail, and both intents name it
    with tenant_context(alpha):
        customer_id = StripeCustomer.objects.get(user=people.student).customer_id
    customer = stripe_on.v1.customers.retrieve(customer_id).to_dict()
    assert customer["email"] == "student@alpha.test"
    assert customer["metadata"]["tenant"] == "alpha"
    for body in (one, two):
        assert stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()["customer"] == customer_id


def test_a_card_payment_is_refunded_through_stripe_in_parts_never_beyond_what_was_paid(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    api: ApiAs,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given an invoice of 100.00 paid by card
    invoice = make_invoice(alpha, people.student)
    payment = _card_paid(
        alpha, api, "student@alpha.test", invoice.pk, stripe_on, deliver, django_capture_on_commit_callbacks
    )
    with tenant_context(alpha):
        # when 30.00 and then 70.00 are refunded
        first = payment_refund(payment=payment, amount="30.00", reason="Late arrival")
        second = payment_refund(payment=payment, amount=Decimal("70.00"), reason="Cancelled")
        # then Stripe holds both refunds against the intent, and nothing more can be refunded
        assert (first.status, second.status) == ("succeeded", "succeeded")
        assert refunded_amount(payment) == Decimal("100.00")
        with pytest.raises(ApplicationError) as refused:
            payment_refund(payment=payment, amount="0.01")
        assert refused.value.code == "refund_exceeds_payment"
        assert Refund.objects.filter(payment=payment).count() == 2
        notified = list(people.student.notifications.filter(verb="payment.refunded").values_list("verb", flat=True))
    at_stripe = stripe_on.v1.refunds.retrieve(str(second.stripe_refund_id)).to_dict()
    assert (at_stripe["amount"], at_stripe["payment_intent"]) == (7000, payment.stripe_payment_intent_id)
    assert notified == ["payment.refunded", "payment.refunded"]


def test_a_payment_that_is_not_approved_cannot_be_refunded(
    alpha: Tenant, people: SimpleNamespace, make_invoice: MakeInvoice, api: ApiAs, stripe_on: stripe.StripeClient
) -> None:
    # given a card payment started but not paid
    invoice = make_invoice(alpha, people.student)
    body = api(alpha, "student@alpha.test").post(f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {}).json()
    with tenant_context(alpha):
        pending = Payment.objects.get(pk=body["payment"]["id"])
        # when / then
        with pytest.raises(ApplicationError) as refused:
            payment_refund(payment=pending, amount="10.00")
        assert refused.value.code == "payment_not_refundable"
        assert not Refund.objects.exists()


def test_a_refund_stripe_refuses_leaves_nothing_behind(
    alpha: Tenant,
    people: SimpleNamespace,
    make_invoice: MakeInvoice,
    api: ApiAs,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given a paid card payment whose intent Stripe no longer knows (its id was changed here)
    invoice = make_invoice(alpha, people.student)
    payment = _card_paid(
        alpha, api, "student@alpha.test", invoice.pk, stripe_on, deliver, django_capture_on_commit_callbacks
    )
    with tenant_context(alpha):
        Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id="pi_unknown")
        payment.refresh_from_db()
        # when
        with pytest.raises(ApplicationError) as refused:
            payment_refund(payment=payment, amount="10.00")
        # then
        assert refused.value.code == "payment_provider_rejected"
        assert not Refund.objects.exists()
