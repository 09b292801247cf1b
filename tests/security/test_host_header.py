"""Host header tricks: the Host header alone picks the tenant, exactly, and everything else gets a
JSON error in the one error shape without a byte of any tenant's data.

The probe is ``GET /api/v1/users/`` with alpha's admin token (alpha's users) or beta's (beta's
users), and ``GET /api/v1/site/`` (the site's slug), so a request that reached the wrong tenant
would show it.
"""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from django.conf import settings
from django.http import HttpResponse
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_transition
from tests.fixture_types import ApiResponse, ClientFor, Login
from tests.tenant_apps.accounts.conftest import USERS, error_code

SITE = "/api/v1/site/"


@pytest.fixture
def tokens(alpha: Tenant, beta: Tenant, login: Login) -> dict[str, str]:
    """Access tokens of alpha's and beta's admins."""
    return {"alpha": login(alpha, "admin@alpha.test")["access"], "beta": login(beta, "admin@beta.test")["access"]}


def raw(host: str, token: str | None = None, **headers: Any) -> APIClient:
    """A client sending exactly ``host`` as its Host header."""
    client = APIClient(HTTP_HOST=host, **headers)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_json_error(response: ApiResponse, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    assert error_code(response) == code
    assert_no_tenant_data(response)


def assert_no_tenant_data(response: HttpResponse) -> None:
    text = response.content.decode("utf-8", "replace")
    for email in ("admin@alpha.test", "admin@beta.test", "admin@gamma.test"):
        assert email not in text, text


# --------------------------------------------------------------------------------------------
# Hosts that name no tenant
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "nobody.localhost",
        "beta.alpha.localhost",
        "alpha.localhost.localhost",
        "www.alpha.localhost",
        "alpha-localhost.localhost",
    ],
)
def test_an_unknown_tenant_host_gets_a_json_404(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], host: str
) -> None:
    # when: alpha's valid token, sent to a host that is no site
    response = raw(host, tokens["alpha"]).get(USERS)
    # then
    assert_json_error(response, 404, "unknown_tenant")


@pytest.mark.parametrize("host", ["evil.example.com", "alpha.localhost.evil.example.com", "localhost.evil.example.com"])
def test_a_host_outside_the_platform_that_no_site_verified_gets_a_json_404(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], host: str
) -> None:
    # ALLOWED_HOSTS lists only the platform; other names are looked up as custom domains
    response = raw(host, tokens["alpha"]).get(USERS)
    assert_json_error(response, 404, "unknown_tenant")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:8000", "10.0.0.1"])
def test_an_ip_address_as_host_gets_a_json_400_not_html(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], host: str
) -> None:
    response = raw(host, tokens["alpha"]).get(USERS)
    assert_json_error(response, 400, "unknown_host")


def test_a_pending_custom_domain_reaches_no_site_and_a_verified_one_only_its_own(
    alpha: Tenant, tokens: dict[str, str]
) -> None:
    from shared_apps.tenancy.domains import custom_domain_add
    from shared_apps.tenancy.models import CustomDomain, CustomDomainStatus, Domain

    # given: alpha and beta both added shop.example.com; alpha's became verified (its routing row)
    custom_domain_add(tenant=alpha, domain="shop.example.com")
    beta = Tenant.objects.get(schema_name="beta")
    custom_domain_add(tenant=beta, domain="pending.example.com")
    pending = raw("pending.example.com", tokens["beta"]).get(USERS)
    CustomDomain.objects.filter(tenant=alpha).update(status=CustomDomainStatus.VERIFIED)
    Domain.objects.create(domain="shop.example.com", tenant=alpha, is_primary=False)
    # when
    with_alpha = raw("shop.example.com", tokens["alpha"]).get(USERS)
    with_beta = raw("shop.example.com", tokens["beta"]).get(USERS)
    # then
    assert_json_error(pending, 404, "unknown_tenant")
    assert with_alpha.status_code == 200 and "admin@alpha.test" in with_alpha.content.decode()
    assert with_beta.status_code == 401
    assert_no_tenant_data(with_beta)


def test_an_empty_host_header_gets_a_json_400(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str]
) -> None:
    response = raw("", tokens["alpha"]).get(USERS)
    assert_json_error(response, 400, "unknown_host")


# --------------------------------------------------------------------------------------------
# Spellings of alpha's host reach alpha, and only alpha
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["alpha.localhost.", "ALPHA.localhost", "Alpha.LocalHost", "alpha.localhost:1337", "ALPHA.LOCALHOST.:8000"],
    ids=["trailing-dot", "upper", "mixed", "port", "all-three"],
)
def test_a_spelling_of_alphas_host_reaches_alpha_and_nothing_else(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], host: str
) -> None:
    # when
    site = raw(host).get(SITE)
    own = raw(host, tokens["alpha"]).get(USERS)
    foreign = raw(host, tokens["beta"]).get(USERS)
    # then: alpha's site, alpha's users with alpha's token, beta's token refused
    assert site.status_code == 200 and site.json()["slug"] == "alpha"
    assert own.status_code == 200
    assert "admin@alpha.test" in own.content.decode()
    assert foreign.status_code == 401, foreign.content
    assert_no_tenant_data(foreign)


# --------------------------------------------------------------------------------------------
# Headers that proxies set
# --------------------------------------------------------------------------------------------


def test_x_forwarded_host_is_not_trusted() -> None:
    assert settings.USE_X_FORWARDED_HOST is False


@pytest.mark.parametrize("header", ["HTTP_X_FORWARDED_HOST", "HTTP_X_ORIGINAL_HOST", "HTTP_X_HOST", "HTTP_FORWARDED"])
def test_a_forwarded_host_header_does_not_switch_the_tenant(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], header: str
) -> None:
    value = "host=beta.localhost" if header == "HTTP_FORWARDED" else "beta.localhost"
    # when: an alpha request claims to have been forwarded for beta, with beta's token
    site = raw("alpha.localhost", **{header: value}).get(SITE)
    with_beta_token = raw("alpha.localhost", tokens["beta"], **{header: value}).get(USERS)
    # then: still alpha; beta's token is refused there
    assert site.json()["slug"] == "alpha"
    assert with_beta_token.status_code == 401
    assert_no_tenant_data(with_beta_token)


def test_a_forwarded_host_does_not_turn_the_platform_host_into_a_tenant(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str]
) -> None:
    response = raw("localhost", tokens["alpha"], HTTP_X_FORWARDED_HOST="alpha.localhost").get(USERS)
    assert response.status_code == 404  # the platform has no users endpoint
    assert_no_tenant_data(response)


# --------------------------------------------------------------------------------------------
# Suspended tenants
# --------------------------------------------------------------------------------------------


def test_a_suspended_tenants_host_answers_403_to_everything(
    alpha: Tenant, tokens: dict[str, str], client_for: ClientFor
) -> None:
    # given: alpha was served (its host is cached as active), then suspended
    assert client_for(alpha).get(SITE).status_code == 200
    tenant_transition(tenant=alpha, action="suspend")
    # when
    responses = [
        client_for(alpha).get(SITE),
        client_for(alpha, tokens["alpha"]).get(USERS),
        client_for(alpha).post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": "x"}),
        raw("ALPHA.localhost.:8000", tokens["alpha"]).get(USERS),
        client_for(alpha).post("/api/v1/payments/stripe/webhook/", "{}", content_type="application/json"),
    ]
    # then
    for response in responses:
        assert_json_error(response, 403, "tenant_suspended")


# --------------------------------------------------------------------------------------------
# Hosts that try to smuggle another host name
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "beta.localhost/../alpha",
        "alpha.localhost/../beta.localhost",
        "alpha.localhost@beta.localhost",
        "beta.localhost@alpha.localhost",
        "beta.localhost#.alpha.localhost",
        "beta.localhost?.alpha.localhost",
        "alpha.localhost beta.localhost",
        "alpha.localhost,beta.localhost",
        "alpha.localhost\\beta.localhost",
        "beta.localhost%2f..%2falpha.localhost",
        "beta.localhost:80@alpha.localhost",
        "beta.localhost\tx",
        "\uff42eta.localhost",  # fullwidth b
    ],
)
def test_a_host_that_smuggles_another_name_reaches_no_tenant(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], host: str
) -> None:
    # when: with each tenant's valid token
    responses = [raw(host, tokens[slug]).get(USERS) for slug in ("alpha", "beta")]
    site = raw(host).get(SITE)
    # then: refused before any tenant is picked, in the error shape
    for response in [*responses, site]:
        assert response.status_code == 400, (host, response.status_code, response.content)
        assert error_code(response) == "unknown_host"
        assert_no_tenant_data(response)


@pytest.mark.parametrize(
    "url",
    ["http://beta.localhost/api/v1/users/", "//beta.localhost/api/v1/users/", "http://beta.localhost:80/api/v1/users/"],
)
def test_an_absolute_uri_in_the_request_line_does_not_pick_the_tenant(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str], url: str
) -> None:
    # when: an alpha-hosted request whose target names beta, with beta's token, then with alpha's
    with_beta_token = raw("alpha.localhost", tokens["beta"]).get(url)
    with_alpha_token = raw("alpha.localhost", tokens["alpha"]).get(url)
    # then: the Host header decides (alpha): beta's token is refused, alpha's sees only alpha
    assert with_beta_token.status_code in {401, 404}, with_beta_token.content
    error_code(with_beta_token)
    assert_no_tenant_data(with_beta_token)
    assert "admin@beta.test" not in with_alpha_token.content.decode()


def test_an_absolute_uri_path_reaching_the_handler_is_a_json_error(
    session_tenants: dict[str, Tenant], db: None, tokens: dict[str, str]
) -> None:
    """A server that passed an absolute-form request target through as ``PATH_INFO`` unchanged."""
    from django.test import RequestFactory
    from django.test.client import ClientHandler

    # given: the WSGI environ such a server would build, Host alpha, the target naming beta
    request = RequestFactory(HTTP_HOST="alpha.localhost", HTTP_AUTHORIZATION=f"Bearer {tokens['beta']}").get("/")
    environ = {**request.environ, "PATH_INFO": "http://beta.localhost/api/v1/users/"}
    # when: Django's own handler serves it (as the test client does, without closing the connection)
    # (typed as a bare WSGI response by django-stubs: it is the view's HttpResponse)
    response = cast(HttpResponse, ClientHandler()(environ))
    # then: a JSON error of alpha's host, nothing of either tenant
    assert response.status_code in {401, 404}, response.content
    assert response["Content-Type"].startswith("application/json")
    assert set(json.loads(response.content)) == {"error"}
    assert_no_tenant_data(response)
