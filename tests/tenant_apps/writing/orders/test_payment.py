"""Paying an order: from the client's wallet (one approved ``wallet`` payment on its invoice, the
ledger reference ``order:<id>:payment``) or by card (localstripe, and Stripe's signed webhook);
either way ``invoice_paid`` makes the order ``available`` and the writers are told."""

from __future__ import annotations

from decimal import Decimal

import stripe
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Payment
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import wallet_of
from tests.fixture_types import Deliver
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import TOTAL, error_code, fund, make_order, order_url

_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


def test_a_client_pays_from_the_wallet_and_the_order_becomes_available(writing: Writing) -> None:
    # given: cleo's unpaid order of 24.00 and 30.00 in her wallet
    order = make_order(writing)
    fund(writing, "cleo", "30.00")
    # when
    response = writing.client("cleo").post(order_url(order.pk, "pay/wallet/"))
    # then: available, the invoice paid by one wallet payment, 6.00 left, the writers told
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "available" and body["paid_at"] is not None
    with tenant_context(writing.tenant):
        payment = Payment.objects.get(invoice__writing_order=order)
        assert (payment.method, payment.status, payment.amount) == ("wallet", "approved", TOTAL)
        assert payment.invoice.status == "paid"
        assert wallet_of(user=writing.cleo).balance == Decimal("6.00")
        assert LedgerEntry.objects.filter(reference=f"order:{order.pk}:payment").count() == 1
        told = set(Notification.objects.filter(verb="writing_order.available").values_list("recipient_id", flat=True))
        assert {writing.wren.pk, writing.will.pk} <= told


def test_a_wallet_too_short_answers_402_and_changes_nothing(writing: Writing) -> None:
    # given
    order = make_order(writing)
    fund(writing, "cleo", "10.00")
    # when
    response = writing.client("cleo").post(order_url(order.pk, "pay/wallet/"))
    # then
    assert response.status_code == 402
    assert error_code(response) == "insufficient_funds"
    assert response.json()["error"]["details"] == {"required": "24.00", "available": "10.00", "currency": "USD"}
    assert writing.client("cleo").get(order_url(order.pk)).json()["status"] == "unpaid"


def test_a_paid_order_is_not_paid_twice(writing: Writing) -> None:
    order = make_order(writing, "available")
    fund(writing, "cleo", "30.00")
    response = writing.client("cleo").post(order_url(order.pk, "pay/wallet/"))
    assert response.status_code == 409
    assert error_code(response) == "invalid_status_transition"


def test_only_the_client_pays_their_order(writing: Writing) -> None:
    order = make_order(writing)
    assert writing.client("carl").post(order_url(order.pk, "pay/wallet/")).status_code == 404
    assert writing.client("sue").post(order_url(order.pk, "pay/wallet/")).status_code == 403
    assert writing.client("admin").post(order_url(order.pk, "pay/card/")).status_code == 403


def test_a_client_pays_by_card_and_the_webhook_makes_the_order_available(
    writing: Writing,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: cleo's unpaid order of 24.00
    order = make_order(writing)
    # when: she starts the payment, pays at Stripe, and Stripe's signed event arrives
    started = writing.client("cleo").post(order_url(order.pk, "pay/card/"))
    assert started.status_code == 200, started.content
    body = started.json()
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert (intent["amount"], body["amount"]) == (2400, "24.00")
    assert writing.client("cleo").get(order_url(order.pk)).json()["status"] == "unpaid"  # not before the event
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(writing.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    # then
    assert outcome.json()["outcome"] == "approved"
    assert writing.client("cleo").get(order_url(order.pk)).json()["status"] == "available"
    # and a replay of the event changes nothing
    again = deliver(writing.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    assert again.status_code == 200


def test_card_payments_without_stripe_answer_503(writing: Writing) -> None:
    order = make_order(writing)
    response = writing.client("cleo").post(order_url(order.pk, "pay/card/"))
    assert response.status_code == 503
    assert error_code(response) == "payments_unavailable"
