"""Superadmin API on the platform host: /api/v1/tenants/."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_exists
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.conftest import PASSWORD, SESSION_TENANTS
from tests.fixture_types import ClientFor, Login


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def test_staff_provisions_a_tenant_that_is_then_served(staff: APIClient, client_for: ClientFor, login: Login) -> None:
    # when
    response = staff.post(
        "/api/v1/tenants/",
        {
            "name": "Acme",
            "slug": "acme",
            "kind": "store",
            "owner_email": "owner@acme.test",
            "owner_password": PASSWORD,
        },
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "acme"
    assert body["status"] == "active"
    assert body["domains"] == [{"domain": "acme.localhost", "is_primary": True}]
    assert client_for(Tenant.objects.get(schema_name="acme")).get("/api/v1/site/").json()["kind"] == "store"
    login(Tenant.objects.get(schema_name="acme"), "owner@acme.test")


def test_provisioning_errors_use_the_error_shape(staff: APIClient) -> None:
    response = staff.post("/api/v1/tenants/", {"name": "W", "slug": "www", "kind": "store", "owner_email": "o@w.test"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reserved_slug"
    response = staff.post(
        "/api/v1/tenants/", {"name": "A", "slug": "alpha", "kind": "store", "owner_email": "o@a.test"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slug_taken"
    response = staff.post(
        "/api/v1/tenants/", {"name": "A", "slug": "zeta", "kind": "casino", "owner_email": "o@a.test"}
    )
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["details"]


def test_list_is_paginated_and_filterable(staff: APIClient) -> None:
    body = staff.get("/api/v1/tenants/").json()
    assert body["count"] == len(SESSION_TENANTS)
    assert [t["slug"] for t in body["results"]] == sorted(SESSION_TENANTS)
    assert [t["slug"] for t in staff.get("/api/v1/tenants/?kind=store").json()["results"]] == ["delta", "gamma"]
    assert staff.get("/api/v1/tenants/?page_size=1").json()["next"]


def test_detail_by_slug(staff: APIClient) -> None:
    response = staff.get("/api/v1/tenants/beta/")
    assert response.status_code == 200
    assert response.json()["owner_email"] == "admin@beta.test"
    assert staff.get("/api/v1/tenants/nope/").status_code == 404


def test_suspend_blocks_the_site_and_resume_restores_it(staff: APIClient, alpha: Tenant, client_for: ClientFor) -> None:
    assert staff.post("/api/v1/tenants/alpha/suspend/").json()["status"] == "suspended"
    assert client_for(alpha).get("/api/v1/site/").status_code == 403
    # suspending twice is a conflict, not a silent success
    assert staff.post("/api/v1/tenants/alpha/suspend/").status_code == 409
    assert staff.post("/api/v1/tenants/alpha/resume/").json()["status"] == "active"
    assert client_for(alpha).get("/api/v1/site/").status_code == 200


def test_archive_stops_serving_but_keeps_the_data(staff: APIClient, alpha: Tenant, client_for: ClientFor) -> None:
    assert staff.post("/api/v1/tenants/alpha/archive/").json()["status"] == "archived"
    assert client_for(alpha).get("/api/v1/site/").status_code == 410
    assert schema_exists("alpha")


def test_drop_requires_the_slug_as_confirmation(staff: APIClient, client_for: ClientFor) -> None:
    staff.post(
        "/api/v1/tenants/",
        {"name": "Tmp", "slug": "tmp", "kind": "rental", "owner_email": "o@tmp.test", "owner_password": PASSWORD},
    )
    # without or with a wrong confirmation nothing happens
    assert staff.delete("/api/v1/tenants/tmp/").status_code == 400
    response = staff.delete("/api/v1/tenants/tmp/", {"confirm_slug": "alpha"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "confirmation_required"
    assert schema_exists("tmp")
    # with it, schema, domains and row are gone and the host is unknown
    assert staff.delete("/api/v1/tenants/tmp/", {"confirm_slug": "tmp"}).status_code == 204
    assert not schema_exists("tmp")
    assert not Tenant.objects.filter(schema_name="tmp").exists()
    assert client_for(None).get("/api/v1/site/", HTTP_HOST="tmp.localhost").status_code == 404


def test_non_staff_and_anonymous_are_refused(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    assert client_for(None).get("/api/v1/tenants/").status_code == 401
    user = client_for(None, login(None, "nonstaff@localhost")["access"])
    response = user.get("/api/v1/tenants/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert (
        user.post(
            "/api/v1/tenants/", {"name": "X", "slug": "x", "kind": "store", "owner_email": "o@x.test"}
        ).status_code
        == 403
    )


def test_a_tenant_admin_token_cannot_reach_the_platform_api(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    tenant_token = login(alpha, "admin@alpha.test")["access"]
    response = client_for(None, tenant_token).get("/api/v1/tenants/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
