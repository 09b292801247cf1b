"""Attacks on the platform's billing webhook (``POST /api/v1/billing/stripe/webhook/``, platform
host; the ``Stripe-Signature`` header over ``STRIPE_BILLING_WEBHOOK_SECRET`` is the only
credential) and on a site suspended for billing (only sign-in and billing stay open).

An attacker without the secret can send unsigned, mis-signed or re-timestamped deliveries, sign
with the secret of another endpoint (the site payments' or Connect's), or replay a genuine one; a
visitor of a billing-suspended site can dress other paths up as the open ones. None of it may
change an account or open the site.
"""

from __future__ import annotations

import json
import time

import pytest
from django.utils import timezone
from pytest_django import Settings
from rest_framework.test import APIClient

from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.billing.sync import billing_suspension_set
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.conftest import host_of
from tests.fixture_types import ClientFor
from tests.shared_apps.billing.webhook_support import account_of, deliver, event, sign, subscription

pytestmark = pytest.mark.django_db


def _cancel_body(tenant: Tenant) -> str:
    return json.dumps(event("customer.subscription.deleted", subscription(tenant, "canceled")))


def _untouched(tenant: Tenant) -> bool:
    tenant.refresh_from_db()
    return (
        BillingAccount.objects.get(tenant=tenant).status == "active"
        and tenant.billing_suspended_at is None
        and not BillingEvent.objects.exists()
    )


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "garbage",
        "t=,v1=",
        "v1=" + "0" * 64,
        f"t={int(time.time())},v1=" + "0" * 64,
    ],
    ids=["none", "garbage", "empty-parts", "no-timestamp", "zero-digest"],
)
def test_an_unsigned_or_garbage_signed_delivery_is_refused(alpha: Tenant, signature: str) -> None:
    account_of(alpha)
    body = _cancel_body(alpha)
    response = deliver(payload=body, signature=signature or "")
    assert response.status_code == 400 and error_code(response) == "invalid_signature"
    assert _untouched(alpha)


@pytest.mark.parametrize("secret", ["whsec_test_secret", "whsec_test_connect_secret", "whsec_guess"])
def test_a_delivery_signed_with_another_endpoints_secret_is_refused(alpha: Tenant, secret: str) -> None:
    account_of(alpha)
    body = _cancel_body(alpha)
    response = deliver(payload=body, signature=sign(body, secret=secret))
    assert response.status_code == 400 and error_code(response) == "invalid_signature"
    assert _untouched(alpha)


def test_a_valid_signature_over_another_body_is_refused(alpha: Tenant) -> None:
    account_of(alpha)
    harmless = json.dumps(event("customer.subscription.updated", subscription(alpha, "active")))
    response = deliver(payload=_cancel_body(alpha), signature=sign(harmless))
    assert response.status_code == 400 and error_code(response) == "invalid_signature"
    assert _untouched(alpha)


@pytest.mark.parametrize("age", [301, 86400])
def test_a_replay_of_an_old_delivery_is_refused(alpha: Tenant, age: int) -> None:
    account_of(alpha)
    body = _cancel_body(alpha)
    response = deliver(payload=body, signature=sign(body, timestamp=int(time.time()) - age))
    assert response.status_code == 400 and error_code(response) == "invalid_signature"
    assert _untouched(alpha)


def test_a_genuine_event_replayed_changes_nothing_more(alpha: Tenant) -> None:
    # given: a cancellation applied, then the site paid and active again
    account_of(alpha)
    cancelled = event("customer.subscription.deleted", subscription(alpha, "canceled"), created=1_800_000_000)
    deliver(cancelled)
    deliver(
        event("customer.subscription.created", subscription(alpha, "active", id="sub_alpha"), created=1_800_000_050)
    )
    # when: the captured cancellation is sent again, freshly signed
    response = deliver(cancelled)
    # then
    assert response.json()["status"] == "duplicate"
    alpha.refresh_from_db()
    assert alpha.billing_suspended_at is None


def test_an_oversized_body_is_a_413_in_the_error_shape(settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = json.dumps({"id": "evt_1", "type": "invoice.paid", "pad": "x" * 4096})
    response = deliver(payload=payload)
    assert response.status_code == 413 and error_code(response) == "request_too_large"


def test_the_billing_webhook_on_a_site_host_is_a_json_404(alpha: Tenant, gamma: Tenant) -> None:
    account_of(alpha)
    for tenant in (alpha, gamma):
        response = deliver(payload=_cancel_body(alpha), host=host_of(tenant))
        assert response.status_code == 404 and error_code(response) == "not_found"
    assert _untouched(alpha)


# --------------------------------------------------------------------------------------------
# A billing-suspended site: the open paths cannot carry a visitor anywhere else
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/site/",
        "//api/v1/billing/",
        "/API/V1/BILLING/",
        "/api/v1/billing",
        "/api/v1/billingx/",
        "/api/v1/auth",
        "/admin/",
    ],
)
def test_paths_dressed_as_the_open_ones_are_refused_on_a_billing_suspended_site(
    alpha: Tenant, client_for: ClientFor, path: str
) -> None:
    billing_suspension_set(Tenant.objects.get(pk=alpha.pk), timezone.now())
    response = client_for(alpha).get(path)
    assert response.status_code == 403 and error_code(response) == "tenant_suspended"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/billing/../site/",
        "/api/v1/billing/%2e%2e/site/",
        "/api/v1/auth/../users/",
        "/api/v1/auth/..%2fusers/",
    ],
)
def test_an_open_prefix_never_reaches_another_view(alpha: Tenant, path: str) -> None:
    # given: a billing-suspended site, a visitor with a raw client (no path normalisation)
    billing_suspension_set(Tenant.objects.get(pk=alpha.pk), timezone.now())
    # when
    response = APIClient(HTTP_HOST=host_of(alpha)).get(path)
    # then: refused or not found; never the site's data
    assert response.status_code in (403, 404), response.content
    assert error_code(response) in ("tenant_suspended", "not_found")
