"""Attacks on custom domains and on the TLS ask endpoint: taking over another site's name,
shadowing the platform's hosts, mass assignment, reaching another site's domains, poisoning
links through a custom Host, and the ask endpoint's token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from pytest_django import Settings
from rest_framework.test import APIClient

from saas.db.tenant import use_public_schema
from shared_apps.tenancy.models import CustomDomain, Tenant
from shared_apps.tenancy.services import tenant_transition
from tests.api import error_code
from tests.dns_stub import DnsStub, dns_stub_for
from tests.fixture_types import ClientFor, Login

DOMAINS = "/api/v1/domains/"
ASK = "/api/v1/tls/ask/"


@pytest.fixture
def dns(settings: Settings) -> Iterator[DnsStub]:
    """The DNS stub (``tests/dns_stub.py``) the verification asks."""
    with dns_stub_for(settings) as stub:
        yield stub


@pytest.fixture
def admins(alpha: Tenant, beta: Tenant, login: Login, client_for: ClientFor) -> dict[str, APIClient]:
    return {t.schema_name: client_for(t, login(t, f"admin@{t.schema_name}.test")["access"]) for t in (alpha, beta)}


def _host(name: str, token: str | None = None) -> APIClient:
    client = APIClient(HTTP_HOST=name)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _verified(admin: APIClient, stub: DnsStub, name: str) -> dict[str, Any]:
    added = admin.post(DOMAINS, {"domain": name}, format="json").json()
    stub.set_txt(added["verification_record"]["name"], added["verification_record"]["value"])
    response = admin.post(f"{DOMAINS}{added['id']}/verify/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "name",
    [
        "alpha.localhost",
        "ALPHA.LOCALHOST.",
        "\u0430lpha.localhost",  # Cyrillic a: xn--lpha-... .localhost
        "localhost",
        "x.alpha.localhost",
    ],
)
def test_a_site_cannot_claim_a_platform_host(admins: dict[str, APIClient], name: str) -> None:
    response = admins["beta"].post(DOMAINS, {"domain": name}, format="json")
    assert response.status_code == 400 and error_code(response) == "invalid_domain"


def test_another_sites_published_token_does_not_verify_a_name(admins: dict[str, APIClient], dns: DnsStub) -> None:
    # given: alpha's record published for the name, beta's row for the same name
    alpha_row = admins["alpha"].post(DOMAINS, {"domain": "shop.example.com"}, format="json").json()
    beta_row = admins["beta"].post(DOMAINS, {"domain": "shop.example.com"}, format="json").json()
    dns.set_txt("_saas-challenge.shop.example.com", alpha_row["verification_record"]["value"])
    # when: beta verifies with only alpha's token in DNS
    response = admins["beta"].post(f"{DOMAINS}{beta_row['id']}/verify/")
    # then
    assert response.status_code == 409 and error_code(response) == "domain_not_verified"
    assert _host("shop.example.com").get("/api/v1/site/").status_code == 404


def test_status_token_and_tenant_cannot_be_assigned(admins: dict[str, APIClient], beta: Tenant) -> None:
    response = admins["alpha"].post(
        DOMAINS,
        {
            "domain": "shop.example.com",
            "status": "verified",
            "verification_token": "chosen",
            "tenant": beta.pk,
            "is_primary": True,
            "verified_at": "2020-01-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["is_primary"] is False and body["verified_at"] is None
    assert body["verification_record"]["value"] != "chosen"
    row = CustomDomain.objects.get(pk=body["id"])
    assert row.tenant_id != beta.pk
    assert _host("shop.example.com").get("/api/v1/site/").status_code == 404


def test_ids_of_another_site_answer_like_missing_ones(admins: dict[str, APIClient]) -> None:
    theirs = admins["alpha"].post(DOMAINS, {"domain": "shop.example.com"}, format="json").json()["id"]
    missing = theirs + 1000
    for pk in (theirs, missing):
        for method, path in (("get", ""), ("post", "verify/"), ("post", "make-primary/"), ("delete", "")):
            response = getattr(admins["beta"], method)(f"{DOMAINS}{pk}/{path}")
            assert (response.status_code, error_code(response)) == (404, "not_found"), (pk, path)
    assert CustomDomain.objects.filter(pk=theirs).exists()


def test_a_reset_link_asked_on_a_custom_host_names_the_primary_host_not_the_host_header(
    admins: dict[str, APIClient], dns: DnsStub
) -> None:
    # given: a verified domain that is not primary
    _verified(admins["alpha"], dns, "shop.example.com")
    # when: a reset is asked on the custom host
    response = _host("shop.example.com").post("/api/v1/auth/password/reset/", {"email": "admin@alpha.test"})
    # then: the link names the primary (the platform host)
    assert response.status_code == 200
    assert "https://alpha.localhost/" in mail.outbox[-1].body
    assert "shop.example.com" not in mail.outbox[-1].body


def test_a_custom_host_with_forwarded_headers_still_routes_by_host(admins: dict[str, APIClient], dns: DnsStub) -> None:
    _verified(admins["alpha"], dns, "shop.example.com")
    response = _host("shop.example.com").get("/api/v1/site/", HTTP_X_FORWARDED_HOST="beta.localhost")
    assert response.json()["slug"] == "alpha"


def test_a_token_of_one_sites_custom_domain_is_refused_on_anothers(
    admins: dict[str, APIClient], dns: DnsStub, login: Login, beta: Tenant
) -> None:
    _verified(admins["alpha"], dns, "shop.example.com")
    _verified(admins["beta"], dns, "store.example.org")
    login_on_alpha = _host("shop.example.com").post(
        "/api/v1/auth/login/", {"email": "admin@alpha.test", "password": "correct-horse-battery-staple"}
    )
    token = login_on_alpha.json()["access"]
    response = _host("store.example.org", token).get("/api/v1/users/")
    assert response.status_code == 401
    assert "admin@beta.test" not in response.content.decode()


@pytest.mark.parametrize(
    "domain",
    ["a" * 400, "shop.example.com\r\nX-Injected: 1", "shop.example.com/../alpha.localhost", "*.localhost", ""],
)
def test_the_ask_endpoint_refuses_odd_names_in_the_error_shape(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, domain: str
) -> None:
    response = client_for(None).get(ASK, {"domain": domain})
    assert response.status_code in {400, 404}, response.content
    assert error_code(response) in {"validation_error", "unknown_tenant"}


def test_the_ask_token_is_not_bypassed_by_an_empty_or_near_value(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, settings: Settings
) -> None:
    settings.TLS_ASK_TOKEN = "the-token"
    platform = client_for(None)
    for token in ("", "the-toke", "the-token ", "THE-TOKEN", "the-token\x00"):
        response = platform.get(ASK, {"domain": "alpha.localhost", "token": token})
        assert response.status_code in {400, 403}, (token, response.content)
    assert platform.get(ASK, {"domain": "alpha.localhost", "token": "the-token"}).status_code == 200


def test_the_ask_endpoint_refuses_a_suspended_sites_names(
    alpha: Tenant, admins: dict[str, APIClient], dns: DnsStub, client_for: ClientFor
) -> None:
    _verified(admins["alpha"], dns, "shop.example.com")
    use_public_schema()
    tenant_transition(tenant=alpha, action="suspend")
    platform = client_for(None)
    assert platform.get(ASK, {"domain": "shop.example.com"}).status_code == 404
    assert platform.get(ASK, {"domain": "alpha.localhost"}).status_code == 404
