"""Stripe Connect onboarding on a tenant's host (issue 16, point 5): the admin connects the site's own
Stripe Express account; Stripe's answers are recorded responses (``tests/stripe_connect.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import responses
from pytest_django import Settings
from rest_framework.test import APIClient

from saas.billing import StripeConnection, stripe_connection
from saas.db.tenant import in_tenant
from saas.errors import Conflict
from shared_apps.billing.models import BillingAccount
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.conftest import PASSWORD
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.stripe_connect import API, connect_site, fixture, form, recorded_stripe

STATUS = "/api/v1/billing/connect/"
ONBOARDING = "/api/v1/billing/connect/onboarding/"
RETURN = "/api/v1/billing/connect/return/"
REFRESH = "/api/v1/billing/connect/refresh/"


@pytest.fixture
def stripe_api(settings: Settings) -> Iterator[responses.RequestsMock]:
    yield from recorded_stripe(settings)


AdminOf = Callable[..., APIClient]


@pytest.fixture
def admin_of(client_for: ClientFor, login: Login) -> AdminOf:
    """``admin_of(tenant, email=None)``: an API client of ``tenant`` signed in as its admin (or ``email``)."""

    def make(tenant: Tenant, email: str | None = None) -> APIClient:
        address = email or f"admin@{tenant.schema_name}.test"
        return client_for(tenant, login(tenant, address, PASSWORD)["access"])

    return make


def _record_onboarding(stripe_api: responses.RequestsMock) -> None:
    stripe_api.add(responses.POST, f"{API}/v1/accounts", json=fixture("account"))
    stripe_api.add(responses.POST, f"{API}/v1/account_links", json=fixture("account_link"))


def test_admin_gets_an_onboarding_link_and_the_express_account_is_created_once(
    alpha: Tenant, admin_of: AdminOf, stripe_api: responses.RequestsMock
) -> None:
    # given
    _record_onboarding(stripe_api)
    admin = admin_of(alpha)
    # when
    first = admin.post(ONBOARDING)
    second = admin.post(ONBOARDING)
    # then
    assert first.status_code == 200, first.content
    assert first.json() == {"url": fixture("account_link")["url"]}
    assert second.status_code == 200
    creates = [call for call in stripe_api.calls if call.request.url == f"{API}/v1/accounts"]
    assert len(creates) == 1
    sent = form(creates[0].request)
    assert sent["type"] == "express"
    assert sent["metadata[tenant_uuid]"] == str(alpha.uuid)
    assert sent["metadata[tenant]"] == "alpha"
    assert creates[0].request.headers["Idempotency-Key"] == f"connect:account:{alpha.uuid}"
    links = [form(call.request) for call in stripe_api.calls if call.request.url == f"{API}/v1/account_links"]
    assert len(links) == 2
    assert links[0]["account"] == "acct_1QconnectAlpha01"
    assert links[0]["type"] == "account_onboarding"
    assert links[0]["return_url"].endswith("://alpha.localhost" + RETURN)
    assert links[0]["refresh_url"].endswith("://alpha.localhost" + REFRESH)
    account = BillingAccount.objects.get(tenant=alpha)
    assert account.connect_account_id == "acct_1QconnectAlpha01"
    assert account.connect_charges_enabled is False


def test_a_front_end_names_its_own_pages_on_the_site_to_come_back_to(
    alpha: Tenant, admin_of: AdminOf, stripe_api: responses.RequestsMock
) -> None:
    # given
    _record_onboarding(stripe_api)
    # when
    response = admin_of(alpha).post(
        ONBOARDING,
        {"return_path": "/settings/payments?done=1", "refresh_path": "/settings/payments/again"},
        format="json",
    )
    # then: Stripe is given those pages, on the site's own host
    assert response.status_code == 200, response.content
    links = [form(call.request) for call in stripe_api.calls if call.request.url == f"{API}/v1/account_links"]
    assert links[0]["return_url"].endswith("://alpha.localhost/settings/payments?done=1")
    assert links[0]["refresh_url"].endswith("://alpha.localhost/settings/payments/again")


@pytest.mark.parametrize(
    "path", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "settings", "/a b", "/é", "/\x00", 7]
)
def test_a_page_elsewhere_than_the_site_is_refused_before_anything_is_created(
    alpha: Tenant, admin_of: AdminOf, stripe_api: responses.RequestsMock, path: object
) -> None:
    # when
    response = admin_of(alpha).post(ONBOARDING, {"return_path": path}, format="json")
    # then
    assert response.status_code == 400 and error_code(response) == "validation_error", response.content
    assert "return_path" in response.json()["error"]["details"]
    assert len(stripe_api.calls) == 0
    assert not BillingAccount.objects.filter(tenant=alpha).exclude(connect_account_id="").exists()


@pytest.mark.parametrize("role", ["student", "teacher", "financial", "support"])
def test_only_the_admin_role_may_start_onboarding_or_read_the_standing(
    alpha: Tenant, make_user: MakeUser, admin_of: AdminOf, stripe_api: responses.RequestsMock, role: str
) -> None:
    # given
    make_user(alpha, f"{role}@alpha.test", roles=[role])
    client = admin_of(alpha, f"{role}@alpha.test")
    # when
    answers = [client.get(STATUS), client.post(ONBOARDING), client.get(RETURN), client.get(REFRESH)]
    # then
    assert [(r.status_code, error_code(r)) for r in answers] == [(403, "permission_denied")] * 4
    assert len(stripe_api.calls) == 0
    assert not BillingAccount.objects.filter(tenant=alpha).exclude(connect_account_id="").exists()


def test_anonymous_requests_are_refused_with_401(alpha: Tenant, client_for: ClientFor) -> None:
    # when
    answers = [client_for(alpha).get(STATUS), client_for(alpha).post(ONBOARDING)]
    # then
    assert [r.status_code for r in answers] == [401, 401]


def test_return_reads_the_flags_from_stripe_and_stores_them(
    alpha: Tenant, admin_of: AdminOf, stripe_api: responses.RequestsMock
) -> None:
    # given: onboarding was started; Stripe now says the account takes charges
    connect_site(alpha, charges=False, fee="3.00")
    onboarded = fixture("account") | {"charges_enabled": True, "details_submitted": True}
    stripe_api.add(responses.GET, f"{API}/v1/accounts/acct_1QconnectAlpha01", json=onboarded)
    # when
    response = admin_of(alpha).get(RETURN)
    # then
    assert response.status_code == 200, response.content
    assert response.json() == {
        "connected": True,
        "account_id": "acct_1QconnectAlpha01",
        "charges_enabled": True,
        "details_submitted": True,
        "takes_payments": True,
        "application_fee_percent": "3.00",
    }
    account = BillingAccount.objects.get(tenant=alpha)
    assert (account.connect_charges_enabled, account.connect_details_submitted) == (True, True)


def test_refresh_answers_a_new_link_for_the_same_account(
    alpha: Tenant, admin_of: AdminOf, stripe_api: responses.RequestsMock
) -> None:
    # given
    connect_site(alpha, charges=False)
    stripe_api.add(responses.POST, f"{API}/v1/account_links", json=fixture("account_link"))
    # when
    response = admin_of(alpha).get(REFRESH)
    # then
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://connect.stripe.com/")
    assert [call.request.url for call in stripe_api.calls] == [f"{API}/v1/account_links"]


def test_onboarding_without_stripe_configured_is_a_503_and_creates_nothing(
    alpha: Tenant, admin_of: AdminOf, settings: Settings
) -> None:
    # given
    settings.STRIPE_SECRET_KEY = ""
    # when
    response = admin_of(alpha).post(ONBOARDING)
    # then
    assert (response.status_code, error_code(response)) == (503, "payments_unavailable")
    assert not BillingAccount.objects.filter(tenant=alpha).exclude(connect_account_id="").exists()


def test_a_site_sees_only_its_own_connect_account(
    alpha: Tenant, beta: Tenant, admin_of: AdminOf, client_for: ClientFor, login: Login
) -> None:
    # given: alpha is connected, beta is not
    connect_site(alpha)
    # when
    on_beta = admin_of(beta).get(STATUS)
    alpha_token_on_beta = client_for(beta, login(alpha, "admin@alpha.test", PASSWORD)["access"]).get(STATUS)
    # then
    assert on_beta.status_code == 200
    assert on_beta.json()["connected"] is False
    assert on_beta.json()["account_id"] == ""
    assert "acct_1QconnectAlpha01" not in on_beta.content.decode()
    assert alpha_token_on_beta.status_code == 401
    assert admin_of(alpha).get(STATUS).json()["account_id"] == "acct_1QconnectAlpha01"


# --- stripe_connection(): where the current site's card payments go ---------------------------


def test_a_connected_site_charges_its_account_with_its_plans_fee(alpha: Tenant) -> None:
    # given
    connect_site(alpha, fee="3.00")
    # when
    with in_tenant(alpha):
        found = stripe_connection()
    # then
    assert found == StripeConnection(account_id="acct_1QconnectAlpha01", application_fee_percent=Decimal("3.00"))


def test_a_connected_site_without_a_plan_pays_no_fee(alpha: Tenant) -> None:
    # given
    connect_site(alpha, fee=None)
    # when
    with in_tenant(alpha):
        found = stripe_connection()
    # then
    assert found == StripeConnection(account_id="acct_1QconnectAlpha01", application_fee_percent=Decimal("0"))


@pytest.mark.parametrize("state", ["no-account", "charges-disabled"])
def test_an_unconnected_site_uses_the_platform_account_only_when_the_fallback_allows(
    alpha: Tenant, settings: Settings, state: str
) -> None:
    # given
    if state == "charges-disabled":
        connect_site(alpha, charges=False)
    settings.STRIPE_CONNECT_PLATFORM_FALLBACK = True
    # when / then
    with in_tenant(alpha):
        assert stripe_connection() is None
        settings.STRIPE_CONNECT_PLATFORM_FALLBACK = False
        with pytest.raises(Conflict) as refused:
            stripe_connection()
    assert refused.value.code == "stripe_account_not_connected"
    assert refused.value.status_code == 409
