"""API documentation: each host documents its own API, and the schemas generate cleanly."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.management.commands.spectacular import SchemaValidationError
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor

PLATFORM_ONLY = ["/api/v1/tenants/", "/api/v1/tenants/{slug}/", "/api/v1/tenants/{slug}/suspend/"]
TENANT_ONLY = [
    "/api/v1/users/",
    "/api/v1/users/{id}/",
    "/api/v1/site/",
    "/api/v1/auth/otp/request/",
    "/api/v1/auth/otp/verify/",
    "/api/v1/auth/registration/",
]
EVERY_URLCONF = [
    "saas.urls.public",
    *(settings.TENANT_TYPES[kind]["URLCONF"] for kind in settings.TENANT_TYPES if kind != "public"),
]


def schema_paths(client: APIClient) -> set[str]:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return set(response.json()["paths"])


def test_platform_schema_documents_the_tenant_api_and_no_tenant_endpoints(db: None, client_for: ClientFor) -> None:
    # when
    paths = schema_paths(client_for(None))
    # then
    assert set(PLATFORM_ONLY) <= paths
    assert "/api/v1/auth/login/" in paths
    assert not paths & set(TENANT_ONLY)


@pytest.mark.parametrize("slug", ["alpha", "gamma"], ids=["school", "store"])
def test_tenant_schema_documents_its_endpoints_and_not_the_platform_api(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, slug: str
) -> None:
    # when
    paths = schema_paths(client_for(session_tenants[slug]))
    # then
    assert set(TENANT_ONLY) <= paths
    assert "/api/v1/auth/login/" in paths
    assert not paths & set(PLATFORM_ONLY)
    assert not any(path.startswith("/api/v1/tenants") for path in paths)


@pytest.mark.parametrize("slug", [None, "alpha", "gamma"], ids=["platform", "school", "store"])
def test_docs_page_is_served_as_html_on_every_host_and_points_at_that_hosts_schema(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, slug: str | None
) -> None:
    # when
    response = client_for(session_tenants[slug] if slug else None).get("/api/v1/docs/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"swagger" in response.content.lower()
    assert b"/api/v1/schema/" in response.content


@pytest.mark.parametrize("urlconf", EVERY_URLCONF)
def test_schema_generates_without_warnings_and_is_valid_openapi(urlconf: str) -> None:
    # given
    GENERATOR_STATS.reset()
    # when
    try:
        call_command("spectacular", urlconf=urlconf, fail_on_warn=True, validate=True, file=os.devnull)
    except SchemaValidationError as exc:
        pytest.fail(f"{urlconf}: not valid OpenAPI: {exc}")
    except Exception:
        # then (on failure): name every warning and error
        problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
        if not problems:
            raise
        pytest.fail(f"{urlconf}: schema generation reported:\n" + "\n".join(problems))
    finally:
        GENERATOR_STATS.reset()
