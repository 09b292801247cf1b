"""Helpers of the payments tests: a local Stripe fake, signed webhook deliveries, people, invoices.

Nothing here reaches the internet. Every test starts with ``STRIPE_API_BASE`` pointing at a closed
local port and no secret key; tests that talk to Stripe use the ``stripe_on`` fixture, which starts
**localstripe** (a dev dependency) once per session on a free port and points the settings at it.
localstripe is started with its on-disk store switched off: it otherwise pickles its state to
``/tmp/localstripe.pickle``, which parallel test runs (and a developer's own localstripe) share.

Webhook payloads are signed with Stripe's scheme, independently of the code under test:
``Stripe-Signature: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<payload>" with the secret>``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import stripe
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from pytest_django import Settings
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.files.models import StoredFile
from tenant_apps.payments.models import Invoice
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.conftest import PASSWORD
from tests.factories import InvoiceFactory, StoredFileFactory, create_in
from tests.fixture_types import (
    ApiAs,
    ApiResponse,
    ClientFor,
    Deliver,
    Login,
    MakeInvoice,
    MakeUser,
    ModelT,
    ReceiptOf,
    SubmitOffline,
)

WEBHOOK = "/api/v1/payments/stripe/webhook/"
INVOICES = "/api/v1/invoices/"
PAYMENTS = "/api/v1/payments/"
SECRET_KEY = "sk_test_localstripe_0123456789"
#: A tiny but real PDF: the files app sniffs content, not names.
RECEIPT_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """Base URL of a localstripe server for this session (started on first use, stopped at the end):
    the platform's launcher, ``saas.dev.localstripe`` (Prices, Checkout, Billing Portal added)."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "saas.dev.localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LOCALSTRIPE_NO_DISK": "1"},
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _no_real_stripe(settings: Settings) -> None:
    """No test reaches api.stripe.com: by default Stripe is off and its base URL a closed local port."""
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"


@pytest.fixture
def stripe_on(settings: Settings, localstripe: str) -> stripe.StripeClient:
    """Online payments on, against localstripe; returns a client of the fake for the test's own calls."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = localstripe
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})


# --- Stripe: paying an intent at the fake, its events, signed deliveries -------------------------


def pay_intent(client: stripe.StripeClient, intent_id: str, *, card: str = "4242424242424242") -> str:
    """Attach a test card to the intent at localstripe and confirm it; returns the intent's status.

    ``4242424242424242`` pays; ``4000000000000341`` is declined (payment_intent.payment_failed).
    """
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    client.v1.payment_intents.update(intent_id, params={"payment_method": str(method.id)})
    with contextlib.suppress(stripe.CardError):  # a declined card is the point of some tests
        client.v1.payment_intents.confirm(intent_id)
    return str(client.v1.payment_intents.retrieve(intent_id).status)


def fake_event(client: stripe.StripeClient, intent_id: str, event_type: str) -> dict[str, Any]:
    """The event localstripe itself generated for ``intent_id``, exactly as it serves it."""
    events = client.v1.events.list(params={"type": event_type, "limit": 10000}).to_dict()["data"]
    found = [event for event in events if event["data"]["object"]["id"] == intent_id]
    assert len(found) == 1, f"localstripe has {len(found)} {event_type} events for {intent_id}"
    return found[0]


def sign(payload: str, *, secret: str = "whsec_test_secret", timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload`` (the Stripe SDK's, v1 scheme; now by default)."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp))


@pytest.fixture
def deliver(client_for: ClientFor) -> Deliver:
    """``deliver(tenant, event, signature=None, payload=None)``: POST a signed event to ``tenant``'s webhook."""

    def post(
        tenant: Tenant, event: dict[str, Any] | None = None, *, signature: str | None = None, payload: str | None = None
    ) -> ApiResponse:
        body = payload if payload is not None else json.dumps(event, indent=2)
        headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or sign(body)}
        return client_for(tenant).generic(
            "POST", WEBHOOK, body, content_type="application/json", secure=False, **headers
        )

    return post


def intent_event(intent: dict[str, Any], event_type: str, event_id: str = "evt_test_1") -> dict[str, Any]:
    """A hand-built event around ``intent`` (for cases the fake cannot produce)."""
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": intent},
    }


# --- People, clients, invoices, receipts ---------------------------------------------------------


@pytest.fixture
def people(alpha: Tenant, gamma: Tenant, make_user: MakeUser) -> SimpleNamespace:
    """Users of alpha (school) and gamma (store) by role; admins come with the session tenants."""
    return SimpleNamespace(
        student=make_user(alpha, "student@alpha.test", roles=["student"], full_name="Stu Dent"),
        other_student=make_user(alpha, "other@alpha.test", roles=["student"]),
        financial=make_user(alpha, "financial@alpha.test", roles=["financial"]),
        teacher=make_user(alpha, "teacher@alpha.test", roles=["teacher"]),
        customer=make_user(gamma, "customer@gamma.test", roles=["customer"]),
        seller=make_user(gamma, "seller@gamma.test", roles=["seller"]),
    )


@pytest.fixture
def api(client_for: ClientFor, login: Login) -> ApiAs:
    """``api(tenant, email)``: an API client of ``tenant`` logged in as ``email``."""

    def make(tenant: Tenant, email: str) -> APIClient:
        return client_for(tenant, login(tenant, email, PASSWORD)["access"])

    return make


@pytest.fixture
def make_invoice() -> MakeInvoice:
    """``make_invoice(tenant, customer, total="100.00", **kw)``: an invoice through the service, no e-mail
    (``InvoiceFactory``)."""

    def make(tenant: Tenant, customer: User, total: str = "100.00", **kw: Any) -> Invoice:
        return create_in(tenant, InvoiceFactory, customer=customer, total=total, **kw)

    return make


@pytest.fixture
def receipt_of() -> ReceiptOf:
    """``receipt_of(tenant, user)``: a PDF receipt stored as uploaded by ``user`` (``StoredFileFactory``)."""

    def make(tenant: Tenant, user: User) -> StoredFile:
        return create_in(tenant, StoredFileFactory, name="receipt.pdf", uploaded_by=user)

    return make


@pytest.fixture
def submit_offline(api: ApiAs) -> SubmitOffline:
    """``submit_offline(tenant, email, invoice, amount, tracking_code)``: upload a receipt, then pay offline."""

    def submit(tenant: Tenant, email: str, invoice: Invoice, amount: str, tracking_code: str = "TRK-1") -> ApiResponse:
        client = api(tenant, email)
        upload = client.post("/api/v1/files/", {"file": SimpleUploadedFile("r.pdf", RECEIPT_BYTES)}, format="multipart")
        assert upload.status_code == 201, upload.content
        return client.post(
            f"{INVOICES}{invoice.pk}/offline-payments/",
            {"amount": amount, "tracking_code": tracking_code, "receipt": upload.json()["id"]},
        )

    return submit


def refreshed(tenant: Tenant, obj: ModelT) -> ModelT:
    """``obj`` reloaded from ``tenant``'s schema."""
    with tenant_context(tenant):
        obj.refresh_from_db()
    return obj


def status_from_payments(tenant: Tenant, invoice: Invoice) -> tuple[Decimal, str]:
    """``(approved sum, status)`` recomputed from the payment rows, to compare with the stored ones."""
    from tenant_apps.payments.models import Payment

    with tenant_context(tenant):
        invoice.refresh_from_db()
        paid = sum((p.amount for p in Payment.objects.filter(invoice=invoice, status="approved")), Decimal("0"))
    if invoice.cancelled_at is not None:
        return paid, "cancelled"
    if paid == invoice.total:
        return paid, "paid"
    return paid, "partially_paid" if paid > 0 else "unpaid"


def pdf_text(data: bytes) -> str:
    """The text drawn in a ReportLab PDF: its content streams (ASCII85 + Flate), decoded."""
    assert data.startswith(b"%PDF")
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.DOTALL):
        try:
            chunks.append(zlib.decompress(base64.a85decode(stream.strip().removesuffix(b"~>"))))
        except (ValueError, zlib.error):
            chunks.append(stream)
    return b"\n".join(chunks).decode("latin-1")
