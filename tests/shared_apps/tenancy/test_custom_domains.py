"""Custom domains as a site's admin uses them: add a host name, publish the TXT record, verify,
browse the site on it, make it primary, delete it; and what everyone else cannot do.

DNS is ``tests/dns_stub.py``'s stub (``dns_stub``): the TXT records a test publishes are what
the verification sees.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings as SettingsWrapper
from rest_framework.test import APIClient

from saas.db.tenant import in_tenant, site_url, use_public_schema
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_transition
from shared_apps.tenancy.tasks import custom_domains_recheck_task
from tests.api import error_code
from tests.dns_stub import DnsStub
from tests.fixture_types import ClientFor, Login, MakeUser

DOMAINS = "/api/v1/domains/"
SITE = "/api/v1/site/"
USERS = "/api/v1/users/"


def admin_client(tenant: Tenant, login: Login, client_for: ClientFor) -> APIClient:
    """An API client of ``tenant``'s admin on its platform host."""
    return client_for(tenant, login(tenant, f"admin@{tenant.schema_name}.test")["access"])


def host(name: str, token: str | None = None) -> APIClient:
    """A client sending ``name`` as its Host header."""
    client = APIClient(HTTP_HOST=name)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def add(client: APIClient, domain: str) -> dict[str, Any]:
    response = client.post(DOMAINS, {"domain": domain}, format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def publish(stub: DnsStub, added: dict[str, Any], *extra: str) -> None:
    """Publish the TXT record ``added`` asks for (and ``extra`` values beside it)."""
    record = added["verification_record"]
    stub.set_txt(record["name"], record["value"], *extra)


def recheck() -> dict[str, int]:
    """The daily task as beat sends it: in the public schema."""
    use_public_schema()
    result: dict[str, int] = custom_domains_recheck_task.delay().get()
    return result


def verified(client: APIClient, stub: DnsStub, domain: str) -> dict[str, Any]:
    added = add(client, domain)
    publish(stub, added)
    response = client.post(f"{DOMAINS}{added['id']}/verify/")
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def alpha_admin(alpha: Tenant, login: Login, client_for: ClientFor) -> APIClient:
    return admin_client(alpha, login, client_for)


@pytest.fixture
def beta_admin(beta: Tenant, login: Login, client_for: ClientFor) -> APIClient:
    return admin_client(beta, login, client_for)


# --------------------------------------------------------------------------------------------
# Adding
# --------------------------------------------------------------------------------------------


def test_adding_a_domain_answers_the_txt_record_and_cname_target_to_publish(alpha_admin: APIClient) -> None:
    # when
    first = add(alpha_admin, "shop.example.com")
    second = add(alpha_admin, "www.example.com")
    # then: pending, a TXT record under _saas-challenge, a fresh random token each
    assert first["status"] == "pending" and first["domain"] == "shop.example.com"
    assert first["verification_record"]["type"] == "TXT"
    assert first["verification_record"]["name"] == "_saas-challenge.shop.example.com"
    assert len(first["verification_record"]["value"]) >= 32
    assert first["verification_record"]["value"] != second["verification_record"]["value"]
    assert first["cname_target"] == "alpha.localhost"
    assert first["is_primary"] is False and first["verified_at"] is None and first["found"] is None
    assert [d["domain"] for d in alpha_admin.get(DOMAINS).json()["results"]] == [
        "shop.example.com",
        "www.example.com",
    ]


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Shop.Example.COM", "shop.example.com"),
        ("shop.example.com.", "shop.example.com"),
        ("  shop.example.com ", "shop.example.com"),
        ("Bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("\uff33\uff28\uff2f\uff30.example", "shop.example"),  # full-width letters
    ],
)
def test_names_are_normalised(alpha_admin: APIClient, given: str, stored: str) -> None:
    assert add(alpha_admin, given)["domain"] == stored


@pytest.mark.parametrize(
    "given",
    [
        "",
        "localhost",
        "shop.localhost",
        "alpha.localhost",
        "beta.localhost",
        "127.0.0.1",
        "10.1.2.3",
        "::1",
        "[::1]",
        "com",
        "shop_1.example.com",
        "shop example.com",
        "shop..example.com",
        "-shop.example.com",
        "1.2.3",
        f"{'a' * 64}.example.com",
        "shop.example.com/path",
        "user@shop.example.com",
    ],
)
def test_names_that_cannot_be_a_custom_domain_are_refused(alpha_admin: APIClient, given: str) -> None:
    response = alpha_admin.post(DOMAINS, {"domain": given}, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"invalid_domain", "validation_error"}
    assert alpha_admin.get(DOMAINS).json()["count"] == 0


def test_the_same_name_twice_is_refused(alpha_admin: APIClient) -> None:
    add(alpha_admin, "shop.example.com")
    response = alpha_admin.post(DOMAINS, {"domain": "SHOP.example.com."}, format="json")
    assert response.status_code == 409 and error_code(response) == "domain_already_added"


def test_without_a_plan_limit_the_number_of_domains_is_capped_by_the_setting(
    alpha_admin: APIClient, settings: SettingsWrapper
) -> None:
    # given: alpha has no plan (tests/shared_apps/billing/test_limits.py: the plan's own limit)
    settings.CUSTOM_DOMAINS_MAX = 2
    add(alpha_admin, "one.example.com")
    add(alpha_admin, "two.example.com")
    # when
    response = alpha_admin.post(DOMAINS, {"domain": "three.example.com"}, format="json")
    # then
    assert response.status_code == 403 and error_code(response) == "plan_limit_reached"
    assert response.json()["error"]["details"] == {"limit": "custom_domains", "allowed": 2, "usage": 2}
    assert alpha_admin.get(DOMAINS).json()["count"] == 2


def test_several_sites_may_hold_one_name_pending(alpha_admin: APIClient, beta_admin: APIClient) -> None:
    a = add(alpha_admin, "shop.example.com")
    b = add(beta_admin, "shop.example.com")
    assert a["status"] == b["status"] == "pending"
    assert a["verification_record"]["value"] != b["verification_record"]["value"]


# --------------------------------------------------------------------------------------------
# Verifying and routing
# --------------------------------------------------------------------------------------------


def test_a_verified_domain_serves_the_site(alpha_admin: APIClient, dns_stub: DnsStub) -> None:
    # given
    added = add(alpha_admin, "shop.example.com")
    pending_site = host("shop.example.com").get(SITE)
    publish(dns_stub, added, "v=spf1 -all")
    # when
    response = alpha_admin.post(f"{DOMAINS}{added['id']}/verify/")
    # then
    assert pending_site.status_code == 404 and error_code(pending_site) == "unknown_tenant"
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "verified" and body["verified_at"] and body["last_checked_at"]
    assert body["found"] == {"txt": sorted([added["verification_record"]["value"], "v=spf1 -all"]), "error": ""}
    site = host("shop.example.com").get(SITE)
    assert site.status_code == 200 and site.json()["slug"] == "alpha"
    assert host("SHOP.Example.com.:8443").get(SITE).json()["slug"] == "alpha"


def test_without_the_record_verification_says_what_it_found(alpha_admin: APIClient, dns_stub: DnsStub) -> None:
    added = add(alpha_admin, "shop.example.com")
    # when: no record at all
    missing = alpha_admin.post(f"{DOMAINS}{added['id']}/verify/")
    # and: a record with another value
    dns_stub.set_txt("_saas-challenge.shop.example.com", "someone-elses-token")
    wrong = alpha_admin.post(f"{DOMAINS}{added['id']}/verify/")
    # then
    assert missing.status_code == 409 and error_code(missing) == "domain_not_verified"
    assert missing.json()["error"]["details"]["found"] == {"txt": [], "error": "nxdomain"}
    assert missing.json()["error"]["details"]["expected"] == added["verification_record"]
    assert wrong.status_code == 409 and error_code(wrong) == "domain_not_verified"
    assert wrong.json()["error"]["details"]["found"] == {"txt": ["someone-elses-token"], "error": ""}
    listed = alpha_admin.get(f"{DOMAINS}{added['id']}/").json()
    assert listed["status"] == "pending" and listed["found"] == {"txt": ["someone-elses-token"], "error": ""}
    assert host("shop.example.com").get(SITE).status_code == 404
    assert "_saas-challenge.shop.example.com" in dns_stub.questions


def test_a_name_verified_by_one_site_can_be_neither_added_nor_verified_by_another(
    alpha_admin: APIClient, beta_admin: APIClient, dns_stub: DnsStub
) -> None:
    # given: beta added the name while pending, then alpha verified it
    beta_pending = add(beta_admin, "shop.example.com")
    alpha_added = add(alpha_admin, "shop.example.com")
    publish(dns_stub, alpha_added, beta_pending["verification_record"]["value"])
    assert alpha_admin.post(f"{DOMAINS}{alpha_added['id']}/verify/").status_code == 200
    # when: beta verifies (its token is published too), and gamma... beta adds it again
    beta_verify = beta_admin.post(f"{DOMAINS}{beta_pending['id']}/verify/")
    other_add = beta_admin.post(DOMAINS, {"domain": "www.example.com"}, format="json")
    again = beta_admin.post(DOMAINS, {"domain": "Shop.Example.com"}, format="json")
    # then
    assert beta_verify.status_code == 409 and error_code(beta_verify) == "domain_taken"
    assert other_add.status_code == 201
    assert again.status_code == 409  # beta holds it pending already
    assert host("shop.example.com").get(SITE).json()["slug"] == "alpha"


def test_another_site_cannot_add_a_name_verified_elsewhere(
    alpha_admin: APIClient, dns_stub: DnsStub, gamma: Tenant, login: Login, client_for: ClientFor
) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    response = admin_client(gamma, login, client_for).post(DOMAINS, {"domain": "shop.example.com"}, format="json")
    assert response.status_code == 409 and error_code(response) == "domain_taken"


def test_a_warm_request_on_a_custom_domain_runs_no_query(alpha_admin: APIClient, dns_stub: DnsStub) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    assert host("shop.example.com").get(SITE).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = host("shop.example.com").get(SITE)
    assert response.status_code == 200
    assert queries.captured_queries == []


def test_the_request_reports_the_custom_domain_as_its_host(alpha_admin: APIClient, dns_stub: DnsStub) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    response = host("shop.example.com:8443").get(SITE)
    assert response.wsgi_request.get_host() == "shop.example.com:8443"


def test_a_suspended_sites_custom_domain_answers_403(alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    use_public_schema()
    tenant_transition(tenant=alpha, action="suspend")
    response = host("shop.example.com").get(SITE)
    assert response.status_code == 403 and error_code(response) == "tenant_suspended"


# --------------------------------------------------------------------------------------------
# Tokens across the site's hosts
# --------------------------------------------------------------------------------------------


def test_a_token_works_on_both_hosts_of_its_site_and_nowhere_else(
    alpha: Tenant, beta: Tenant, alpha_admin: APIClient, dns_stub: DnsStub, login: Login, client_for: ClientFor
) -> None:
    # given
    verified(alpha_admin, dns_stub, "shop.example.com")
    on_custom = host("shop.example.com").post(
        "/api/v1/auth/login/", {"email": "admin@alpha.test", "password": "correct-horse-battery-staple"}
    )
    assert on_custom.status_code == 200, on_custom.content
    custom_token = on_custom.json()["access"]
    platform_token = login(alpha, "admin@alpha.test")["access"]
    beta_token = login(beta, "admin@beta.test")["access"]
    # then
    assert client_for(alpha, custom_token).get(USERS).status_code == 200
    assert host("shop.example.com", platform_token).get(USERS).status_code == 200
    assert client_for(beta, custom_token).get(USERS).status_code == 401
    assert host("shop.example.com", beta_token).get(USERS).status_code == 401


# --------------------------------------------------------------------------------------------
# Primary domain and links
# --------------------------------------------------------------------------------------------


def test_make_primary_moves_the_sites_links_to_the_domain_and_back(
    alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub
) -> None:
    # given
    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    pending = add(alpha_admin, "www.example.com")
    # when
    refused = alpha_admin.post(f"{DOMAINS}{pending['id']}/make-primary/")
    made = alpha_admin.post(f"{DOMAINS}{shop['id']}/make-primary/")
    # then
    assert refused.status_code == 409 and error_code(refused) == "domain_not_verified"
    assert made.status_code == 200 and made.json()["is_primary"] is True
    assert site_url("/x", alpha) == "https://shop.example.com/x"
    # when: the platform host becomes primary again
    back = alpha_admin.post(f"{DOMAINS}platform/make-primary/")
    # then
    assert back.status_code == 200 and back.json() == {"primary": "alpha.localhost"}
    assert site_url("/x", alpha) == "https://alpha.localhost/x"
    assert alpha_admin.get(f"{DOMAINS}{shop['id']}/").json()["is_primary"] is False


def test_password_reset_links_name_the_primary_custom_domain(
    alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub
) -> None:
    from django.core import mail

    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    alpha_admin.post(f"{DOMAINS}{shop['id']}/make-primary/")
    response = host("alpha.localhost").post("/api/v1/auth/password/reset/", {"email": "admin@alpha.test"})
    assert response.status_code == 200, response.content
    assert "https://shop.example.com/" in mail.outbox[-1].body


def test_deleting_the_primary_domain_makes_the_platform_host_primary_and_stops_routing(
    alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub
) -> None:
    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    alpha_admin.post(f"{DOMAINS}{shop['id']}/make-primary/")
    # when
    response = alpha_admin.delete(f"{DOMAINS}{shop['id']}/")
    # then
    assert response.status_code == 204
    assert site_url("/x", alpha) == "https://alpha.localhost/x"
    assert host("shop.example.com").get(SITE).status_code == 404
    assert alpha_admin.get(DOMAINS).json()["count"] == 0


def test_once_deleted_another_site_may_verify_the_name(
    alpha_admin: APIClient, beta_admin: APIClient, dns_stub: DnsStub
) -> None:
    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    assert alpha_admin.delete(f"{DOMAINS}{shop['id']}/").status_code == 204
    verified(beta_admin, dns_stub, "shop.example.com")
    assert host("shop.example.com").get(SITE).json()["slug"] == "beta"


# --------------------------------------------------------------------------------------------
# Who may manage domains
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["student", "teacher", "support", "financial"])
def test_only_the_admin_role_manages_domains(
    alpha: Tenant, alpha_admin: APIClient, make_user: MakeUser, login: Login, client_for: ClientFor, role: str
) -> None:
    shop = add(alpha_admin, "shop.example.com")
    make_user(alpha, f"{role}@alpha.test", roles=[role])
    client = client_for(alpha, login(alpha, f"{role}@alpha.test")["access"])
    responses = [
        client.get(DOMAINS),
        client.post(DOMAINS, {"domain": "www.example.com"}, format="json"),
        client.post(f"{DOMAINS}{shop['id']}/verify/"),
        client.post(f"{DOMAINS}{shop['id']}/make-primary/"),
        client.post(f"{DOMAINS}platform/make-primary/"),
        client.delete(f"{DOMAINS}{shop['id']}/"),
    ]
    assert [r.status_code for r in responses] == [403] * 6
    assert alpha_admin.get(DOMAINS).json()["count"] == 1


def test_anonymous_requests_get_401(alpha: Tenant, client_for: ClientFor) -> None:
    responses = [client_for(alpha).get(DOMAINS), client_for(alpha).post(DOMAINS, {"domain": "a.example.com"})]
    assert [(r.status_code, error_code(r)) for r in responses] == [(401, "not_authenticated")] * 2


def test_a_site_never_sees_nor_acts_on_another_sites_domains(
    alpha_admin: APIClient, beta_admin: APIClient, dns_stub: DnsStub
) -> None:
    # given: alpha's verified domain, published record and all
    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    # when: beta's admin tries everything on its id
    responses = [
        beta_admin.get(f"{DOMAINS}{shop['id']}/"),
        beta_admin.post(f"{DOMAINS}{shop['id']}/verify/"),
        beta_admin.post(f"{DOMAINS}{shop['id']}/make-primary/"),
        beta_admin.delete(f"{DOMAINS}{shop['id']}/"),
    ]
    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert beta_admin.get(DOMAINS).json()["count"] == 0
    assert "shop.example.com" not in beta_admin.get(DOMAINS).content.decode()
    assert alpha_admin.get(f"{DOMAINS}{shop['id']}/").json()["status"] == "verified"
    assert host("shop.example.com").get(SITE).json()["slug"] == "alpha"


# --------------------------------------------------------------------------------------------
# The daily re-check
# --------------------------------------------------------------------------------------------


def test_the_recheck_flags_a_domain_whose_record_is_gone_and_notifies_the_admins(
    alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub
) -> None:
    from tenant_apps.notifications.models import Notification

    # given: a verified domain whose record is then removed
    shop = verified(alpha_admin, dns_stub, "shop.example.com")
    dns_stub.remove("_saas-challenge.shop.example.com")
    # when
    result = recheck()
    # then: flagged, still routed, the admin notified
    assert result == {"checked": 1, "flagged": 1, "restored": 0}
    body = alpha_admin.get(f"{DOMAINS}{shop['id']}/").json()
    assert body["status"] == "flagged" and body["found"] == {"txt": [], "error": "nxdomain"}
    assert host("shop.example.com").get(SITE).json()["slug"] == "alpha"
    with in_tenant(alpha):
        notes = list(Notification.objects.filter(verb="custom_domain.flagged").values_list("extra_data", flat=True))
    assert [n["domain"] for n in notes] == ["shop.example.com"]
    listed = alpha_admin.get("/api/v1/notifications/").json()["results"]
    assert any(n["verb"] == "custom_domain.flagged" for n in listed)
    # when: the record is back
    publish(dns_stub, shop)
    again = recheck()
    # then
    assert again == {"checked": 1, "flagged": 0, "restored": 1}
    assert alpha_admin.get(f"{DOMAINS}{shop['id']}/").json()["status"] == "verified"


def test_the_recheck_leaves_pending_domains_and_does_nothing_in_a_tenant_schema(
    alpha: Tenant, alpha_admin: APIClient, dns_stub: DnsStub
) -> None:
    add(alpha_admin, "shop.example.com")
    with in_tenant(alpha):
        assert custom_domains_recheck_task.delay().get() == {"checked": 0, "flagged": 0, "restored": 0}
    assert recheck() == {"checked": 0, "flagged": 0, "restored": 0}
    assert dns_stub.questions == []


def test_beat_sends_the_recheck_once_in_the_public_schema(session_tenants: dict[str, Tenant], db: None) -> None:
    from tests.shared_apps.tenancy.test_beat import RecordingScheduler, _entries

    scheduler = RecordingScheduler()
    scheduler.apply_entry(_entries(scheduler)["tenancy-custom-domains-recheck@public"])
    assert scheduler.sent == [("shared_apps.tenancy.tasks.custom_domains_recheck_task", "public")]


# --------------------------------------------------------------------------------------------
# The TLS edge's question
# --------------------------------------------------------------------------------------------

ASK = "/api/v1/tls/ask/"


def test_the_ask_endpoint_answers_200_only_for_names_served_here(
    alpha: Tenant, gamma: Tenant, alpha_admin: APIClient, dns_stub: DnsStub, client_for: ClientFor
) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    add(alpha_admin, "pending.example.com")
    use_public_schema()
    tenant_transition(tenant=gamma, action="suspend")
    platform = client_for(None)
    answers = {
        name: platform.get(ASK, {"domain": name}).status_code
        for name in (
            "shop.example.com",
            "SHOP.example.com.",
            "alpha.localhost",
            "localhost",
            "pending.example.com",
            "gamma.localhost",
            "nobody.localhost",
            "evil.example.com",
            "bad_name!",
        )
    }
    assert answers == {
        "shop.example.com": 200,
        "SHOP.example.com.": 200,
        "alpha.localhost": 200,
        "localhost": 200,
        "pending.example.com": 404,
        "gamma.localhost": 404,
        "nobody.localhost": 404,
        "evil.example.com": 404,
        "bad_name!": 404,
    }
    assert error_code(platform.get(ASK, {"domain": "pending.example.com"})) == "unknown_tenant"
    missing = platform.get(ASK)
    assert missing.status_code == 400 and error_code(missing) == "validation_error"


def test_the_ask_endpoint_is_only_on_the_platform_host(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).get(ASK, {"domain": "alpha.localhost"})
    assert response.status_code == 404 and error_code(response) == "not_found"


def test_with_a_token_set_the_ask_endpoint_requires_it(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, settings: SettingsWrapper
) -> None:
    settings.TLS_ASK_TOKEN = "s3cret-ask-token"
    platform = client_for(None)
    assert platform.get(ASK, {"domain": "alpha.localhost", "token": "s3cret-ask-token"}).status_code == 200
    bearer = client_for(None, "s3cret-ask-token").get(ASK, {"domain": "alpha.localhost"})
    assert bearer.status_code == 200
    for params in ({"domain": "alpha.localhost"}, {"domain": "alpha.localhost", "token": "wrong"}):
        response = platform.get(ASK, params)
        assert response.status_code == 403 and error_code(response) == "permission_denied"
    wrong_bearer = client_for(None, "s3cret-ask-tokeX").get(ASK, {"domain": "alpha.localhost"})
    assert wrong_bearer.status_code == 403


def test_a_warm_ask_runs_no_query(alpha_admin: APIClient, dns_stub: DnsStub, client_for: ClientFor) -> None:
    verified(alpha_admin, dns_stub, "shop.example.com")
    platform = client_for(None)
    for name in ("shop.example.com", "alpha.localhost", "nobody.example.com"):
        platform.get(ASK, {"domain": name})
    with CaptureQueriesContext(connection) as queries:
        codes = [platform.get(ASK, {"domain": n}).status_code for n in ("shop.example.com", "alpha.localhost")]
        codes.append(platform.get(ASK, {"domain": "nobody.example.com"}).status_code)
    assert codes == [200, 200, 404]
    assert queries.captured_queries == []
