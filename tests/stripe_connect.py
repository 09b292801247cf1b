"""Helpers of the Stripe Connect tests: recorded Stripe responses, connected sites, signed Connect events.

localstripe has no accounts or account links and refuses ``application_fee_amount``, so these tests
answer Stripe's API with recorded responses (the ``responses`` library) whose bodies are Stripe's
documented objects, kept in ``tests/fixtures/stripe/<name>.json``: ``account`` (an Express account
before onboarding), ``account_link``, ``payment_intent_connected`` (a direct charge carrying
``application_fee_amount``) and ``refund``. Each test asserts the request we sent (the
``Stripe-Account`` header, the fee, the idempotency key).
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import responses
import stripe
from pytest_django import Settings
from requests import PreparedRequest

from saas.stripe import event_envelope
from shared_apps.billing.models import BillingAccount, Plan
from shared_apps.tenancy.models import Tenant

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stripe"
API = "https://api.stripe.com"
SECRET_KEY = "sk_test_recorded_0123456789"
CONNECT_SECRET = "whsec_test_connect_secret"
CONNECT_WEBHOOK = "/api/v1/billing/stripe/connect/webhook/"


@cache
def _fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def fixture(name: str) -> dict[str, Any]:
    """A fresh copy of the recorded Stripe object ``tests/fixtures/stripe/<name>.json``."""
    return copy.deepcopy(json.loads(_fixture_text(name)))


def recorded_stripe(settings: Settings) -> Iterator[responses.RequestsMock]:
    """Stripe on (a test key, the real API's base URL) with every HTTP call answered by the
    ``RequestsMock`` yielded: an unregistered call fails the test instead of leaving the process."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = API
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def form(request: PreparedRequest) -> dict[str, str]:
    """The form-encoded body the SDK sent, flattened: ``{"amount": "15000", "metadata[tenant]": ...}``."""
    body = request.body or ""
    text = body.decode() if isinstance(body, bytes) else str(body)
    return {key: values[-1] for key, values in parse_qs(text, keep_blank_values=True).items()}


def metadata_of(request: PreparedRequest) -> dict[str, str]:
    """The ``metadata[...]`` fields of the form ``request`` sent, as a dict."""
    return {key[9:-1]: value for key, value in form(request).items() if key.startswith("metadata[")}


def intent_echo(request: PreparedRequest) -> tuple[int, dict[str, str], str]:
    """A ``responses`` callback for ``POST /v1/payment_intents``: the recorded connected intent with
    what was asked (amount, currency, metadata, fee, customer) and a fresh id."""
    sent = form(request)
    intent = fixture("payment_intent_connected")
    intent["id"] = f"pi_{uuid.uuid4().hex[:24]}"
    intent["client_secret"] = f"{intent['id']}_secret_recorded"
    intent["amount"] = int(sent["amount"])
    intent["currency"] = sent["currency"]
    intent["metadata"] = metadata_of(request)
    intent["customer"] = sent.get("customer")
    fee = sent.get("application_fee_amount")
    intent["application_fee_amount"] = int(fee) if fee is not None else None
    return 200, {"Request-Id": "req_recorded"}, json.dumps(intent)


def connect_site(
    tenant: Tenant, *, account_id: str = "acct_1QconnectAlpha01", charges: bool = True, fee: str | None = "3.00"
) -> BillingAccount:
    """``tenant``'s billing account connected to ``account_id`` (``charges`` enabled or not) on a
    plan taking ``fee`` percent (``None``: no plan). Public schema; rolled back with the test."""
    plan = None
    if fee is not None:
        plan = Plan.objects.create(
            code=f"connect-{uuid.uuid4().hex[:8]}",
            name="Pro",
            price=Decimal("29.00"),
            currency="USD",
            application_fee_percent=Decimal(fee),
        )
    account, _ = BillingAccount.objects.update_or_create(
        tenant=tenant,
        defaults={
            "plan": plan,
            "connect_account_id": account_id,
            "connect_charges_enabled": charges,
            "connect_details_submitted": charges,
        },
    )
    return account


def sign(payload: str, *, secret: str = CONNECT_SECRET, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (the Stripe SDK's, v1 scheme; now by default)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp))


def connect_event(
    obj: dict[str, Any], event_type: str, *, account: str | None, event_id: str | None = None
) -> dict[str, Any]:
    """A Connect event around ``obj``, shaped like Stripe's (``account`` names the connected account)."""
    return event_envelope(obj, event_type, event_id=event_id, account=account)
