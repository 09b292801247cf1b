"""``payments.demo.create_demo_invoice`` and ``manage.py stripe_test_webhook`` (against localstripe)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.core import mail
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ApiAs, MakeInvoice
from tests.tenant_apps.payments.conftest import INVOICES, refreshed


def test_demo_invoice_is_created_once_and_not_emailed(
    alpha: Tenant, people: SimpleNamespace, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    from tenant_apps.payments.demo import create_demo_invoice

    with tenant_context(alpha), django_capture_on_commit_callbacks(execute=True):
        first = create_demo_invoice(people.student)
        second = create_demo_invoice(people.student)
    assert first.pk == second.pk
    assert (first.total, first.status, first.currency) == (Decimal("150.00"), "unpaid", "USD")
    assert mail.outbox == []


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


def test_stripe_test_webhook_pays_the_intent_signs_the_event_and_replays_are_no_ops(
    alpha: Tenant,
    people: SimpleNamespace,
    api: ApiAs,
    make_invoice: MakeInvoice,
    stripe_on: stripe.StripeClient,
    webhook_posts: list[dict[str, Any]],
) -> None:
    # given: a card checkout started through the API
    invoice = make_invoice(alpha, people.student)
    started = api(alpha, "student@alpha.test").post(f"{INVOICES}{invoice.pk}/stripe-payment-intent/", {}).json()
    intent_id = started["payment_intent_id"]
    out = StringIO()
    # when
    call_command("stripe_test_webhook", "--tenant", "alpha", "--payment-intent", intent_id, "--confirm", stdout=out)
    event_id = out.getvalue().split()[1]
    replay = StringIO()
    call_command(
        "stripe_test_webhook", "--tenant", "alpha", "--payment-intent", intent_id, "--event-id", event_id, stdout=replay
    )
    # then
    assert webhook_posts[0]["url"] == "http://127.0.0.1:8000/api/v1/payments/stripe/webhook/"
    assert webhook_posts[0]["headers"]["Host"] == "alpha.localhost:8000"
    assert '"outcome":"approved"' in out.getvalue()
    assert '"status":"duplicate"' in replay.getvalue()
    assert refreshed(alpha, invoice).status == "paid"


def test_stripe_test_webhook_reports_a_refused_delivery(
    alpha: Tenant, stripe_on: stripe.StripeClient, webhook_posts: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the command signs with a secret the server does not share
    from tenant_apps.payments.management.commands import stripe_test_webhook

    intent = stripe_on.v1.payment_intents.create(
        params={"amount": 100, "currency": "usd", "metadata": {"tenant": "alpha"}}
    )
    real_header = stripe_test_webhook.signature_header
    monkeypatch.setattr(
        stripe_test_webhook, "signature_header", lambda payload, secret, ts: real_header(payload, "whsec_other", ts)
    )
    # when / then
    with pytest.raises(CommandError, match="answered 400"):
        call_command(
            "stripe_test_webhook",
            "--tenant",
            "alpha",
            "--payment-intent",
            intent.id,
            stdout=StringIO(),
            stderr=StringIO(),
        )
