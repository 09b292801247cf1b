"""Stripe webhook attacks on ``POST /api/v1/payments/stripe/webhook/`` (no login; the
``Stripe-Signature`` header, ``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<body>">``, is the only credential).

An attacker without the webhook secret can send unsigned, wrongly signed or re-timestamped
deliveries, or replay a genuine one (captured, or re-sent by Stripe itself); a genuine event of
one tenant reaches every tenant's endpoint (one Stripe account). None of it may change anything
but the one payment the event is really about, once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tests.fixture_types import ApiAs, Deliver, JsonResponse, MakeInvoice, MakeUser
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import (
    INVOICES,
    WEBHOOK,
    error_code,
    fake_event,
    intent_event,
    pay_intent,
    sign,
)

# The payments tests' fixtures: no real Stripe by default, localstripe on demand, signed deliveries.
_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver
people = payments.people
api = payments.api
make_invoice = payments.make_invoice

TOLERANCE = 300  # seconds: Stripe's default, used by stripe.Webhook.construct_event


def books(tenant: Tenant) -> tuple[Any, ...]:
    """Everything a webhook can write in ``tenant``: events, payments, invoices, audit, notifications."""
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.notifications.models import Notification
    from tenant_apps.payments.models import Invoice, Payment, StripeEvent

    with tenant_context(tenant):
        return (
            sorted(StripeEvent.objects.values_list("event_id", "outcome")),
            sorted(Payment.objects.values_list("pk", "status", "decided_at")),
            sorted(Invoice.objects.values_list("pk", "status", "amount_paid")),
            AuditLogEntry.objects.count(),
            Notification.objects.count(),
        )


@pytest.fixture
def paid_card_payment(
    people: SimpleNamespace, make_invoice: MakeInvoice, api: ApiAs, stripe_on: stripe.StripeClient
) -> Callable[..., dict[str, Any]]:
    """``paid_card_payment(tenant, customer, email)``: a card payment started through the API and
    paid at localstripe; returns ``{invoice, payment_id, event}`` with Stripe's succeeded event."""

    def make(tenant: Tenant, customer: User, email: str, total: str = "100.00") -> dict[str, Any]:
        invoice = make_invoice(tenant, customer, total=total)
        body = api(tenant, email).post(f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {}).json()
        assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
        event = fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded")
        return {"invoice": invoice, "payment_id": body["payment"]["id"], "event": event}

    return make


def assert_refused(response: JsonResponse, code: str = "invalid_signature") -> None:
    assert response.status_code == 400, response.content
    assert error_code(response) == code


# --------------------------------------------------------------------------------------------
# Forged deliveries
# --------------------------------------------------------------------------------------------


@pytest.fixture
def forged(alpha: Tenant, people: SimpleNamespace) -> str:
    """A succeeded event naming a (made-up) intent of alpha, as an attacker would write it."""
    intent = {
        "id": "pi_forged",
        "object": "payment_intent",
        "amount": 10000,
        "amount_received": 10000,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"tenant": "alpha", "invoice": "1", "payment": "1"},
    }
    return json.dumps(intent_event(intent, "payment_intent.succeeded", event_id="evt_forged"))


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=,v1=",
        "nonsense",
        "v1=deadbeef",
        f"t={int(time.time())}",
        f"t={int(time.time())},v0=abc",
        f"t={int(time.time())},v1=" + "0" * 64,
    ],
    ids=["missing", "empty-parts", "garbage", "no-timestamp", "no-v1", "v0-only", "zero-hmac"],
)
def test_an_unsigned_or_garbage_signed_delivery_is_refused(
    alpha: Tenant, deliver: Deliver, forged: str, signature: str
) -> None:
    before = books(alpha)
    response = deliver(alpha, payload=forged, signature=signature)
    assert_refused(response)
    assert books(alpha) == before


@pytest.mark.parametrize("secret", ["whsec_someone_else", "", "whsec_test_secret "], ids=["other", "empty", "space"])
def test_a_delivery_signed_with_another_secret_is_refused(
    alpha: Tenant, deliver: Deliver, forged: str, secret: str
) -> None:
    before = books(alpha)
    response = deliver(alpha, payload=forged, signature=sign(forged, secret=secret))
    assert_refused(response)
    assert books(alpha) == before


def test_a_valid_signature_over_another_body_is_refused(alpha: Tenant, deliver: Deliver, forged: str) -> None:
    # given: a genuine signature of a harmless body, sent with the forged one
    harmless = json.dumps({"id": "evt_ping", "object": "event", "type": "ping", "data": {"object": {}}})
    before = books(alpha)
    # when
    response = deliver(alpha, payload=forged, signature=sign(harmless))
    # then
    assert_refused(response)
    assert books(alpha) == before


@pytest.mark.parametrize("age", [TOLERANCE + 5, 3600, 86400 * 30], ids=["just-too-old", "an-hour", "a-month"])
def test_a_replay_of_an_old_delivery_is_refused(alpha: Tenant, deliver: Deliver, forged: str, age: int) -> None:
    # given: a delivery correctly signed at a moment past the tolerance (a captured request)
    before = books(alpha)
    signature = sign(forged, timestamp=int(time.time()) - age)
    # when
    response = deliver(alpha, payload=forged, signature=signature)
    # then
    assert_refused(response)
    assert books(alpha) == before


def test_an_old_signature_next_to_a_fresh_timestamp_is_refused(alpha: Tenant, deliver: Deliver, forged: str) -> None:
    # given: the v1 of an old delivery, with its timestamp swapped for a fresh one
    old = sign(forged, timestamp=int(time.time()) - 3600)
    tampered = f"t={int(time.time())}," + old.split(",", 1)[1]
    before = books(alpha)
    # when
    response = deliver(alpha, payload=forged, signature=tampered)
    # then
    assert_refused(response)
    assert books(alpha) == before


@pytest.mark.parametrize(
    "payload",
    ["not json", json.dumps({"object": "event"}), json.dumps({"id": 1, "type": 2}), "[]"],
    ids=["not-json", "no-id-or-type", "wrong-types", "json-list"],
)
def test_a_malformed_body_with_a_valid_signature_is_a_400_in_the_error_shape(
    alpha: Tenant, deliver: Deliver, payload: str
) -> None:
    before = books(alpha)
    response = deliver(alpha, payload=payload, signature=sign(payload))
    assert response.status_code == 400, response.content
    assert error_code(response) == "invalid_payload"
    assert books(alpha) == before


# --------------------------------------------------------------------------------------------
# Genuine events: replays and other tenants
# --------------------------------------------------------------------------------------------


def test_the_same_event_id_twice_is_processed_once(
    alpha: Tenant, people: SimpleNamespace, deliver: Deliver, paid_card_payment: Callable[..., dict[str, Any]]
) -> None:
    # given: alpha's genuine succeeded event, processed
    paid = paid_card_payment(alpha, people.student, "student@alpha.test", total="60.00")
    first = deliver(alpha, paid["event"])
    assert first.json() == {"received": True, "status": "processed", "outcome": "approved"}
    after_first = books(alpha)
    # when: the same event again (Stripe retrying, or a captured delivery re-signed fresh), and then a
    # different body under the same event id
    again = deliver(alpha, paid["event"])
    failed = {**paid["event"], "type": "payment_intent.payment_failed"}
    other_body = deliver(alpha, failed)
    # then: both duplicates; nothing changed after the first
    for response in (again, other_body):
        assert response.status_code == 200
        assert response.json() == {"received": True, "status": "duplicate", "outcome": ""}
    assert books(alpha) == after_first
    with tenant_context(alpha):
        paid["invoice"].refresh_from_db()
    assert (paid["invoice"].status, paid["invoice"].amount_paid) == ("paid", Decimal("60.00"))


def test_an_event_of_another_tenant_changes_nothing_anywhere(
    alpha: Tenant,
    beta: Tenant,
    gamma: Tenant,
    people: SimpleNamespace,
    make_user: MakeUser,
    deliver: Deliver,
    paid_card_payment: Callable[..., dict[str, Any]],
) -> None:
    # given: beta's genuine succeeded event; alpha has a pending payment with the same ids
    beta_student = make_user(beta, "student@beta.test", roles=["student"])
    paid = paid_card_payment(beta, beta_student, "student@beta.test")
    paid_card_payment(alpha, people.student, "student@alpha.test")  # alpha's own, pending
    before = {tenant.schema_name: books(tenant) for tenant in (alpha, beta, gamma)}
    # when: it is delivered to alpha's and gamma's endpoints
    responses = [deliver(tenant, paid["event"]) for tenant in (alpha, gamma)]
    # then: acknowledged (so Stripe stops retrying) and ignored; not a row written in any tenant
    for response in responses:
        assert response.status_code == 200
        assert response.json() == {"received": True, "status": "ignored", "outcome": "other_tenant"}
    assert {tenant.schema_name: books(tenant) for tenant in (alpha, beta, gamma)} == before
    # and beta's endpoint does process it, for beta's payment only
    assert deliver(beta, paid["event"]).json()["outcome"] == "approved"
    assert books(alpha) == before["alpha"]


def test_an_event_without_tenant_metadata_changes_nothing(
    alpha: Tenant, people: SimpleNamespace, deliver: Deliver, paid_card_payment: Callable[..., dict[str, Any]]
) -> None:
    # given: alpha's genuine event with the metadata stripped (an intent made outside this platform)
    paid = paid_card_payment(alpha, people.student, "student@alpha.test")
    event = json.loads(json.dumps(paid["event"]))
    event["data"]["object"]["metadata"] = {}
    before = books(alpha)
    # when
    response = deliver(alpha, event)
    # then
    assert response.json()["status"] == "ignored"
    assert books(alpha) == before


def test_an_event_of_a_dropped_tenant_with_the_same_slug_changes_nothing(
    alpha: Tenant, people: SimpleNamespace, deliver: Deliver, paid_card_payment: Callable[..., dict[str, Any]]
) -> None:
    # given: alpha's genuine event, as the intent of an earlier tenant called alpha would carry it
    # (same slug, ids that exist here, another tenant uuid)
    paid = paid_card_payment(alpha, people.student, "student@alpha.test")
    event = json.loads(json.dumps(paid["event"]))
    assert event["data"]["object"]["metadata"]["tenant_uuid"] == str(alpha.uuid)
    event["data"]["object"]["metadata"]["tenant_uuid"] = "00000000-0000-4000-8000-000000000000"
    before = books(alpha)
    # when
    response = deliver(alpha, event)
    # then
    assert response.json() == {"received": True, "status": "ignored", "outcome": "other_tenant"}
    assert books(alpha) == before


@pytest.mark.parametrize("host", ["localhost", "nobody.localhost"], ids=["platform", "unknown-tenant"])
def test_a_webhook_on_a_host_that_is_no_tenant_is_a_json_404(
    session_tenants: dict[str, Tenant], db: None, forged: str, host: str
) -> None:
    # when: even with a valid signature
    response = APIClient(HTTP_HOST=host).generic(
        "POST", WEBHOOK, forged, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(forged)
    )
    # then
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/json")
    assert error_code(response) in {"not_found", "unknown_tenant"}
