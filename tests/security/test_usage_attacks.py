"""Attacks on usage per tenant (issue 17, point 1): the staff list and per-tenant JSON, and the
Prometheus endpoint. Tokens of the wrong kind, the wrong host, malformed filters and orderings,
and a token guessed for the metrics: refused in the error shape, never a 5xx, never another
tenant's figures."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from shared_apps.superadmin.usage import usage_collect
from shared_apps.tenancy.models import Tenant
from tests.api import error_code
from tests.fixture_types import ClientFor, Login
from tests.shared_apps.superadmin.test_usage import own_counters  # noqa: F401 (an autouse fixture)

LIST = "/api/v1/tenant-usage/"
DETAIL = "/api/v1/tenants/alpha/usage/"
METRICS = "/api/v1/metrics/"


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def test_a_tenant_admin_token_replayed_on_the_platform_reads_no_usage(
    alpha: Tenant, client_for: ClientFor, login: Login
) -> None:
    access = login(alpha, "admin@alpha.test")["access"]
    for url in (LIST, DETAIL):
        response = client_for(None, access).get(url)
        assert response.status_code == 401, (url, response.content)
        error_code(response)


def test_a_platform_user_who_is_not_staff_reads_no_usage(
    session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login
) -> None:
    nonstaff = client_for(None, login(None, "nonstaff@localhost")["access"])
    for url in (LIST, DETAIL):
        response = nonstaff.get(url)
        assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_usage_and_metrics_are_not_served_on_a_tenant_host(
    alpha: Tenant, client_for: ClientFor, login: Login, settings: Any
) -> None:
    settings.METRICS_TOKEN = "metrics-secret"
    admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    for url in (LIST, DETAIL, METRICS):
        response = admin.get(url, HTTP_AUTHORIZATION="Bearer metrics-secret" if url == METRICS else None)
        assert response.status_code == 404, (url, response.content)
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "query",
    [
        "kind=evil",
        "status=deleted",
        "billing_status=free",
        "has_errors=maybe",
        "has_errors=",
        "plan=" + "x" * 51,
        "ordering=owner_email",  # not a sort field: ignored, never a way to probe hidden columns
        "ordering=health__tenant__owner_email",
        "ordering=-requests_24h,,;drop",
        "search=%27%3B--",
        "page=0",
        "page=abc",
        "page_size=100000",
    ],
)
def test_malformed_filters_and_orderings_answer_no_5xx(staff: APIClient, query: str) -> None:
    response = staff.get(f"{LIST}?{query}")
    assert response.status_code in {200, 400, 404}, (query, response.content)
    if response.status_code != 200:
        error_code(response)


def test_ordering_by_a_hidden_column_does_not_sort_by_it(staff: APIClient, session_tenants: dict[str, Tenant]) -> None:
    usage_collect()  # no traffic (own_counters): the default order is by slug, which owner e-mails follow
    plain = [row["slug"] for row in staff.get(f"{LIST}?page_size=100").json()["results"]]
    probed = [row["slug"] for row in staff.get(f"{LIST}?page_size=100&ordering=-owner_email").json()["results"]]
    assert probed == plain


def test_the_detail_of_an_unknown_or_malformed_slug_is_a_404(staff: APIClient) -> None:
    for slug in ("nope", "public", "..", "a" * 300, "%00"):
        response = staff.get(f"/api/v1/tenants/{slug}/usage/")
        assert response.status_code in {400, 404}, (slug, response.content)
        error_code(response)


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Bearer metrics-secre", "Bearer metrics-secret2", "Basic bWV0cmljcy1zZWNyZXQ="],
)
def test_metrics_refuse_anything_but_the_token(
    client_for: ClientFor, settings: Any, session_tenants: dict[str, Tenant], db: None, header: str
) -> None:
    settings.METRICS_TOKEN = "metrics-secret"
    response = client_for(None).get(METRICS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 403 and error_code(response) == "permission_denied"


def test_a_staff_token_does_not_open_the_metrics(staff: APIClient, settings: Any) -> None:
    settings.METRICS_TOKEN = "metrics-secret"
    assert staff.get(METRICS).status_code == 403
    settings.METRICS_TOKEN = ""
    assert staff.get(METRICS).status_code == 404  # off: nothing to find


def test_traffic_on_an_unknown_host_counts_for_no_tenant(
    alpha: Tenant, session_tenants: dict[str, Tenant], db: None
) -> None:
    from shared_apps.superadmin.models import TenantHealth

    client = APIClient(HTTP_HOST="unknown.localhost")
    assert client.get("/api/v1/schema/").status_code == 404
    usage_collect()
    assert not TenantHealth.objects.filter(requests_24h__gt=0).exists()
