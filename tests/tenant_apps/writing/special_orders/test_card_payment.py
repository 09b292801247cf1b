"""Paying an installment by card (localstripe, and Stripe's signed webhook): ``invoice_paid`` marks
it paid, once, whatever the number of deliveries of the event."""

from __future__ import annotations

import stripe
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tests.fixture_types import Deliver
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.special_orders.conftest import make_special, pay_url, special_url

_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


def test_an_installment_paid_by_card_is_marked_paid_by_the_webhook_once(
    writing: Writing,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: an accepted special order, installment 1 of 50.00
    special = make_special(writing, "accepted")
    # when: cleo starts the card payment, pays at Stripe, and Stripe's signed event arrives
    started = writing.client("cleo").post(pay_url(special.pk, 1, "card"))
    assert started.status_code == 200, started.content
    body = started.json()
    assert (body["installment"], body["amount"]) == (1, "50.00")
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert intent["amount"] == 5000
    plan = writing.client("cleo").get(special_url(special.pk)).json()["installments"]
    assert plan[0]["status"] == "pending"  # not before the event
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(writing.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    # then
    assert outcome.json()["outcome"] == "approved"
    plan = writing.client("cleo").get(special_url(special.pk)).json()["installments"]
    assert [i["status"] for i in plan] == ["paid", "pending"]
    # and a replay of the event marks nothing again
    again = deliver(writing.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    assert again.status_code == 200
    with tenant_context(writing.tenant):
        told = Notification.objects.filter(recipient=writing.cleo, verb="special_order.installment_paid").count()
    assert told == 1
    # and the wallet payment of the paid installment is refused
    assert writing.client("cleo").post(pay_url(special.pk, 1)).status_code == 409
