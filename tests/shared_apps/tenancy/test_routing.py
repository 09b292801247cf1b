"""Host -> tenant routing: unknown hosts, status gates, kinds, and the cached lookup."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shared_apps.tenancy.models import Tenant, TenantStatus
from tests.fixture_types import ClientFor


def test_unknown_host_gets_json_404(db: None, client_for: ClientFor, session_tenants: dict[str, Tenant]) -> None:
    # when
    response = client_for(None).get("/api/v1/site/", HTTP_HOST="nobody.localhost")
    # then
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "unknown_tenant", "message": "No site is served at nobody.localhost."}}


def test_tenant_host_serves_its_own_site(alpha: Tenant, client_for: ClientFor) -> None:
    response = client_for(alpha).get("/api/v1/site/")
    assert response.status_code == 200
    assert response.json()["slug"] == "alpha"
    assert response.json()["kind"] == "school"
    assert "student" in response.json()["roles"]


@pytest.mark.parametrize(
    ("status", "http_status", "code"),
    [
        (TenantStatus.SUSPENDED, 403, "tenant_suspended"),
        (TenantStatus.ARCHIVED, 410, "tenant_archived"),
        (TenantStatus.PROVISIONING, 503, "tenant_provisioning"),
    ],
)
def test_inactive_tenant_blocks_every_endpoint(
    alpha: Tenant, client_for: ClientFor, status: str, http_status: int, code: str
) -> None:
    # given
    alpha.status = status
    alpha.save()
    # when
    responses = [
        client_for(alpha).get("/api/v1/site/"),
        client_for(alpha).post("/api/v1/auth/login/", {"email": "admin@alpha.test", "password": "x"}),
        client_for(alpha).get("/api/v1/docs/"),
    ]
    # then
    for response in responses:
        assert response.status_code == http_status
        assert response.json()["error"]["code"] == code


def test_suspension_takes_effect_although_the_host_was_cached(alpha: Tenant, client_for: ClientFor) -> None:
    # given: the host is cached as active
    assert client_for(alpha).get("/api/v1/site/").status_code == 200
    # when
    alpha.status = TenantStatus.SUSPENDED
    alpha.save()
    # then
    response = client_for(alpha).get("/api/v1/site/")
    assert response.status_code == 403
    assert "suspended" in response.json()["error"]["message"]


def test_steady_state_request_runs_no_query(alpha: Tenant, client_for: ClientFor) -> None:
    # given: a first request resolved and cached the host and set the search_path
    client = client_for(alpha)
    assert client.get("/api/v1/site/").status_code == 200
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/site/")
    # then: neither a domain lookup nor a SET search_path
    assert response.status_code == 200
    assert [q["sql"] for q in queries.captured_queries] == []


def test_each_kind_is_routed_to_its_own_urlconf(alpha: Tenant, gamma: Tenant, client_for: ClientFor) -> None:
    # the platform API exists only on the platform host
    assert client_for(alpha).get("/api/v1/tenants/").status_code == 404
    assert client_for(gamma).get("/api/v1/tenants/").status_code == 404
    assert client_for(None).get("/api/v1/tenants/").status_code == 401
    assert client_for(gamma).get("/api/v1/site/").json()["kind"] == "store"
