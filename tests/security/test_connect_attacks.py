"""Stripe Connect attacks: the platform's Connect webhook (``POST /api/v1/billing/stripe/connect/webhook/``,
signed with ``STRIPE_CONNECT_WEBHOOK_SECRET``, no login) and the admin's onboarding endpoints on a
tenant's host (``/api/v1/billing/connect/...``).

An attacker without the Connect secret sends unsigned, mis-signed (the per-site secret) or stale
deliveries; a holder of the secret's genuine event names another site's account or uuid; a tenant
admin's token is replayed on another site or on the platform host; the onboarding endpoints are
called on the platform host. Nothing changes and every answer is the JSON error shape.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from shared_apps.billing.models import BillingAccount, BillingEvent
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login
from tests.stripe_connect import CONNECT_WEBHOOK, connect_event, connect_site, fixture, sign

ACCOUNT = "acct_1QconnectAlpha01"
TENANT_ENDPOINTS = [
    ("get", "/api/v1/billing/connect/"),
    ("post", "/api/v1/billing/connect/onboarding/"),
    ("get", "/api/v1/billing/connect/return/"),
    ("get", "/api/v1/billing/connect/refresh/"),
]


def _event() -> dict[str, Any]:
    onboarded = fixture("account") | {"charges_enabled": True, "details_submitted": True}
    return connect_event(onboarded, "account.updated", account=ACCOUNT)


def _assert_unchanged(alpha: Tenant) -> None:
    assert BillingAccount.objects.get(tenant=alpha).connect_charges_enabled is False
    assert not BillingEvent.objects.exists()


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=1,v1=deadbeef",
        "per-site-secret",
        "stale",
    ],
    ids=["unsigned", "garbage", "per-site-secret", "stale"],
)
def test_an_unsigned_or_mis_signed_connect_delivery_is_a_400_and_changes_nothing(
    alpha: Tenant, client_for: ClientFor, signature: str
) -> None:
    # given
    connect_site(alpha, account_id=ACCOUNT, charges=False)
    body = json.dumps(_event())
    header = {
        "": None,
        "t=1,v1=deadbeef": "t=1,v1=deadbeef",
        "per-site-secret": sign(body, secret="whsec_test_secret"),
        "stale": sign(body, timestamp=int(time.time()) - 3600),
    }[signature]
    extra: dict[str, Any] = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
    # when
    response = client_for(None).generic("POST", CONNECT_WEBHOOK, body, content_type="application/json", **extra)
    # then
    assert response.status_code == 400
    assert error_code(response) == "invalid_signature"
    _assert_unchanged(alpha)


@pytest.mark.parametrize(
    "payload",
    ["[]", '"evt"', '{"id": "evt_1", "type": "account.updated", "data": {"object": "acct_1"}}'],
    ids=["list", "string", "object-string"],
)
def test_a_signed_connect_delivery_that_is_not_an_event_is_a_400(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, payload: str
) -> None:
    # when
    response = client_for(None).generic(
        "POST", CONNECT_WEBHOOK, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(payload)
    )
    # then
    assert (response.status_code, error_code(response)) == (400, "invalid_payload")


def test_an_account_update_for_one_site_does_not_touch_another_sites_account(
    alpha: Tenant, beta: Tenant, client_for: ClientFor
) -> None:
    # given: beta connected; the event names alpha's account, which beta does not have
    connect_site(beta, account_id="acct_1QconnectBeta001", charges=False)
    body = json.dumps(_event())
    # when
    response = client_for(None).generic(
        "POST", CONNECT_WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    # then
    assert response.json()["outcome"] == "unknown_account"
    assert BillingAccount.objects.get(tenant=beta).connect_charges_enabled is False


@pytest.mark.parametrize(("method", "path"), TENANT_ENDPOINTS)
def test_a_tenant_admins_token_is_refused_on_another_site_and_the_platform_host(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, method: str, path: str
) -> None:
    # given
    connect_site(alpha, account_id=ACCOUNT, charges=False)
    token = login(alpha, "admin@alpha.test", PASSWORD)["access"]
    # when
    on_beta = getattr(client_for(beta, token), method)(path)
    on_platform = getattr(client_for(None, token), method)(path)
    # then
    assert on_beta.status_code == 401
    assert on_platform.status_code in {401, 404}
    assert on_platform["Content-Type"].startswith("application/json")
    assert ACCOUNT not in on_beta.content.decode() + on_platform.content.decode()
    assert BillingAccount.objects.get(tenant=alpha).connect_account_id == ACCOUNT
    assert not BillingAccount.objects.filter(tenant=beta).exclude(connect_account_id="").exists()


@pytest.mark.parametrize(("method", "path"), TENANT_ENDPOINTS)
def test_the_onboarding_endpoints_take_no_account_from_the_request(
    alpha: Tenant, client_for: ClientFor, login: Login, method: str, path: str
) -> None:
    # given: alpha's admin names beta's account and another tenant in the query and the body
    token = login(alpha, "admin@alpha.test", PASSWORD)["access"]
    forged = {"account": "acct_1QconnectBeta001", "tenant": "beta", "connect_account_id": "acct_1QconnectBeta001"}
    # when
    response = (
        client_for(alpha, token).post(path, forged, format="json")
        if method == "post"
        else client_for(alpha, token).get(path, forged)
    )
    # then: answered for alpha alone (503 where Stripe is needed and not configured here)
    assert response.status_code in {200, 503}
    assert "acct_1QconnectBeta001" not in response.content.decode()
    assert not BillingAccount.objects.filter(connect_account_id="acct_1QconnectBeta001").exists()
