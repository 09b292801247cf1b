"""Usage and health per tenant (issue 17, point 1): each tenant's requests, errors and active users
are counted while it is served, collected into a snapshot with its users, storage and tickets, and
listed for platform staff, busiest first, without SQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from saas.cache import redis_client
from shared_apps.billing.models import BillingAccount
from shared_apps.superadmin.models import TenantHealth, TenantRequestHour
from shared_apps.superadmin.usage import hour_key, last_hours, usage_collect, usage_send
from shared_apps.tenancy.models import Tenant
from tests.admin import admin_client, admin_url
from tests.factories import StoredFileFactory, TicketFactory, create_in
from tests.factories.billing import PlanFactory
from tests.fixture_types import ClientFor, Login, MakeUser
from tests.redis_server import CLOSED_PORT_URL


def forget_counters() -> None:
    """Delete this run's usage counters from Redis (as a Redis restart would)."""
    from django.conf import settings

    if settings.USAGE_REDIS_URL and settings.USAGE_REDIS_URL != CLOSED_PORT_URL:
        client = redis_client(settings.USAGE_REDIS_URL)
        keys = list(client.scan_iter(match=f"{settings.USAGE_KEY_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def own_counters() -> Iterator[None]:
    """Counters of this process only, none at the start: parallel runs (xdist workers, other
    checkouts) share one Redis and count the same tenant ids; Redis is not rolled back. Each
    request sends its count at once; afterwards the test profile's long interval is back."""
    with override_settings(USAGE_KEY_PREFIX=f"_usage-test-{os.getpid()}", USAGE_FLUSH_SECONDS=0):
        usage_send()  # what other tests' requests left in the buffer goes under this prefix
        forget_counters()
        yield
        usage_send()
        forget_counters()
    usage_send()  # the next send a test-profile interval away again


@pytest.fixture
def staff(session_tenants: dict[str, Tenant], db: None, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(None, login(None, "staff@localhost")["access"])


def visit(client_for: ClientFor, tenant: Tenant, times: int, token: str | None = None) -> None:
    """``times`` requests on ``tenant``'s host (a public page when anonymous)."""
    client = client_for(tenant, token)
    for _ in range(times):
        response = client.get("/api/v1/auth/user/" if token else "/api/v1/schema/")
        assert response.status_code == 200, response.content


def health(tenant: Tenant) -> TenantHealth:
    usage_collect()
    return TenantHealth.objects.get(tenant=tenant)


def test_requests_count_for_the_tenant_served_and_never_for_another(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, staff: APIClient
) -> None:
    # given
    visit(client_for, alpha, 3)
    staff.get("/api/v1/tenants/")  # the platform host counts for no tenant
    # when
    usage_collect()
    # then
    assert TenantHealth.objects.get(tenant=alpha).requests_24h == 3
    assert TenantHealth.objects.get(tenant=beta).requests_24h == 0
    assert TenantHealth.objects.get(tenant=alpha).errors_24h == 0


def test_a_5xx_counts_as_an_error(alpha: Tenant, client_for: ClientFor, login: Login) -> None:
    # given
    token = login(alpha, "admin@alpha.test")["access"]  # one request
    client = client_for(alpha, token)
    client.raise_request_exception = False
    # when
    with mock.patch("tenant_apps.tickets.selectors.ticket_list", side_effect=RuntimeError("boom")):
        broken = client.get("/api/v1/tickets/")
    client.get("/api/v1/auth/user/")
    # then
    assert broken.status_code == 500
    figures = health(alpha)
    assert (figures.requests_24h, figures.errors_24h) == (3, 1)


def test_active_users_are_the_distinct_users_who_made_authenticated_requests(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login, make_user: MakeUser
) -> None:
    # given
    make_user(alpha, "usage-active@alpha.test")
    admin = login(alpha, "admin@alpha.test")["access"]
    other = login(alpha, "usage-active@alpha.test")["access"]
    # when
    visit(client_for, alpha, 2, admin)
    visit(client_for, alpha, 1, other)
    visit(client_for, alpha, 2)  # anonymous
    # then
    assert health(alpha).active_users_30d == 2
    assert TenantHealth.objects.get(tenant=beta).active_users_30d == 0


def test_a_request_is_served_when_redis_is_down(alpha: Tenant, client_for: ClientFor, settings: Any) -> None:
    # given: nothing listens on port 1
    settings.USAGE_REDIS_URL = CLOSED_PORT_URL
    # when
    response = client_for(alpha).get("/api/v1/schema/")
    # then
    assert response.status_code == 200
    assert health(alpha).requests_24h == 0  # not counted, and the collection still runs


def test_without_redis_requests_are_counted_in_the_database(
    alpha: Tenant, client_for: ClientFor, settings: Any
) -> None:
    # given: the embedded setup (make run)
    settings.USAGE_REDIS_URL = ""
    # when
    visit(client_for, alpha, 2)
    # then
    assert TenantRequestHour.objects.get(tenant=alpha).requests == 2
    assert health(alpha).requests_24h == 2


def test_a_process_sends_its_counts_once_per_interval_in_one_round_trip(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, settings: Any
) -> None:
    # given: the next send is an hour away
    settings.USAGE_FLUSH_SECONDS = 3600
    usage_send()
    redis = redis_client(settings.USAGE_REDIS_URL)
    alpha_key, beta_key = (hour_key(tenant.pk, last_hours()[-1]) for tenant in (alpha, beta))
    visit(client_for, alpha, 3)
    visit(client_for, beta, 2)
    assert not redis.exists(alpha_key) and not redis.exists(beta_key)  # held by the process
    # when
    real_pipeline = redis.pipeline
    with mock.patch.object(redis, "pipeline", side_effect=real_pipeline) as pipelines:
        usage_send()
    # then: both tenants' counts in one round trip
    assert pipelines.call_count == 1
    assert redis.hget(alpha_key, "requests") == b"3" and redis.hget(beta_key, "requests") == b"2"


def test_counts_already_collected_survive_a_redis_restart(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    visit(client_for, alpha, 2)
    usage_collect()
    # when: Redis loses its memory
    forget_counters()
    visit(client_for, alpha, 1)
    # then: the stored hour is kept, not lowered to Redis' 1
    assert health(alpha).requests_24h == 2


def test_the_collection_reads_users_storage_tickets_and_the_schema_size(alpha: Tenant, make_user: MakeUser) -> None:
    # given
    before = health(alpha)
    user = make_user(alpha, "usage-figures@alpha.test")
    create_in(alpha, TicketFactory, created_by=user)
    create_in(alpha, TicketFactory, created_by=user, closed=True)
    stored = create_in(alpha, StoredFileFactory, uploaded_by=user)
    # when
    after = health(alpha)
    # then
    assert after.users == before.users + 1
    assert after.open_tickets == before.open_tickets + 1
    assert after.file_bytes == before.file_bytes + stored.size
    assert after.db_bytes > 0
    assert after.last_activity is not None and after.collected_at > before.collected_at


def test_staff_find_the_busiest_tenant_first(
    alpha: Tenant, beta: Tenant, gamma: Tenant, client_for: ClientFor, staff: APIClient
) -> None:
    # given
    visit(client_for, alpha, 2)
    visit(client_for, beta, 1)
    visit(client_for, gamma, 4)
    usage_collect()
    # when
    body = staff.get("/api/v1/tenant-usage/?ordering=-requests_24h").json()
    # then
    slugs = [row["slug"] for row in body["results"]]
    assert slugs[:3] == ["gamma", "alpha", "beta"]
    gamma_row = body["results"][0]
    assert gamma_row["requests_24h"] == 4 and gamma_row["kind"] == "store"
    assert set(gamma_row) >= {"users", "active_users_30d", "db_bytes", "file_bytes", "open_tickets", "plan"}
    least_first = staff.get("/api/v1/tenant-usage/?ordering=requests_24h&kind=school").json()["results"]
    assert [row["slug"] for row in least_first if row["slug"] in {"alpha", "beta"}] == ["beta", "alpha"]
    ties = staff.get("/api/v1/tenant-usage/?ordering=-errors_24h&page_size=100").json()["results"]
    assert [row["slug"] for row in ties] == sorted(row["slug"] for row in ties)  # all 0: by slug, stable pages


def test_the_list_filters_by_kind_plan_billing_status_and_errors(
    alpha: Tenant, gamma: Tenant, client_for: ClientFor, login: Login, staff: APIClient
) -> None:
    # given
    plan = PlanFactory(code="usage-pro")
    BillingAccount.objects.update_or_create(tenant=gamma, defaults={"plan": plan, "status": "past_due"})
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    client.raise_request_exception = False
    with mock.patch("tenant_apps.tickets.selectors.ticket_list", side_effect=RuntimeError("boom")):
        client.get("/api/v1/tickets/")
    usage_collect()

    def slugs(query: str) -> set[str]:
        response = staff.get(f"/api/v1/tenant-usage/?{query}")
        assert response.status_code == 200, response.content
        return {row["slug"] for row in response.json()["results"]}

    # then
    assert slugs("kind=store") >= {"gamma", "delta"} and "alpha" not in slugs("kind=store")
    assert slugs("plan=usage-pro") == {"gamma"}
    assert slugs("billing_status=past_due") == {"gamma"}
    assert slugs("has_errors=true") == {"alpha"}
    assert "alpha" not in slugs("has_errors=false")
    assert slugs("search=gamm") == {"gamma"}
    assert staff.get("/api/v1/tenant-usage/?has_errors=maybe").status_code == 400
    assert staff.get("/api/v1/tenant-usage/?ordering=-nonsense").status_code == 200  # unknown: ignored


def test_per_tenant_json_has_the_snapshot_the_last_24_hours_and_the_plan_limits(
    alpha: Tenant, client_for: ClientFor, staff: APIClient
) -> None:
    # given
    visit(client_for, alpha, 3)
    usage_collect()
    visit(client_for, alpha, 2)  # after the collection: in the live series only
    # when
    response = staff.get("/api/v1/tenants/alpha/usage/")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["slug"] == "alpha" and body["requests_24h"] == 3
    assert len(body["hours"]) == 24
    assert body["hours"][-1]["requests"] == 5
    assert sum(hour["requests"] for hour in body["hours"]) == 5
    assert {row["name"] for row in body["limits"]} >= {"users", "storage_mb"}
    assert staff.get("/api/v1/tenants/nope/usage/").status_code == 404


def test_only_platform_staff_read_usage(
    alpha: Tenant, client_for: ClientFor, login: Login, session_tenants: dict[str, Tenant]
) -> None:
    nonstaff = client_for(None, login(None, "nonstaff@localhost")["access"])
    tenant_admin = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    for url in ("/api/v1/tenant-usage/", "/api/v1/tenants/alpha/usage/"):
        assert client_for(None).get(url).status_code == 401
        assert nonstaff.get(url).status_code == 403
        assert tenant_admin.get(url).status_code == 404  # not served on a tenant's host


def test_the_list_runs_the_same_queries_for_many_tenants(staff: APIClient, session_tenants: dict[str, Tenant]) -> None:
    # given
    usage_collect()
    with CaptureQueriesContext(connection) as few:
        assert staff.get("/api/v1/tenant-usage/").status_code == 200
    # when: 15 more tenants with snapshots (rows only: the list never reads a schema)
    many_tenants(15)
    with CaptureQueriesContext(connection) as many:
        response = staff.get("/api/v1/tenant-usage/")
    # then
    assert response.json()["count"] >= 8 + 15
    assert len(many) == len(few)


def many_tenants(count: int, kind: str = "school") -> list[Tenant]:
    """``count`` tenant rows with a snapshot each, without schemas."""
    from django.utils import timezone

    tenants = [
        Tenant.objects.create(schema_name=f"usage-many-{i}", name=f"Many {i}", kind=kind, status="active")
        for i in range(count)
    ]
    TenantHealth.objects.bulk_create(
        TenantHealth(tenant=tenant, requests_24h=i, collected_at=timezone.now()) for i, tenant in enumerate(tenants)
    )
    return tenants


def test_the_console_lists_tenant_health_busiest_first(alpha: Tenant, client_for: ClientFor) -> None:
    # given
    visit(client_for, alpha, 2)
    usage_collect()
    client = admin_client(None)
    # when
    page = client.get(admin_url(TenantHealth) + "?o=-5")  # sorted by requests, descending
    filtered = client.get(admin_url(TenantHealth) + "?tenant__kind=store")
    # then
    assert page.status_code == 200
    assert "Alpha (alpha)" in page.content.decode()
    assert filtered.status_code == 200 and "Alpha (alpha)" not in filtered.content.decode()


def test_the_console_page_runs_the_same_queries_for_many_tenants(session_tenants: dict[str, Tenant], db: None) -> None:
    # given
    usage_collect()
    client = admin_client(None)
    client.get(admin_url(TenantHealth))  # warm: session, content types
    with CaptureQueriesContext(connection) as few:
        assert client.get(admin_url(TenantHealth)).status_code == 200
    # when
    many_tenants(15)
    with CaptureQueriesContext(connection) as many:
        page = client.get(admin_url(TenantHealth) + "?all=")
    # then
    assert page.status_code == 200 and "Many 14" in page.content.decode()
    assert len(many) <= len(few)


# ---------------------------------------------------------------------------------------------
# Prometheus
# ---------------------------------------------------------------------------------------------


def scrape(client_for: ClientFor, token: str | None = "metrics-secret") -> Any:
    client = client_for(None)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/metrics/")


def families(response: Any) -> dict[str, Any]:
    from prometheus_client.parser import text_string_to_metric_families

    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def test_metrics_are_by_kind_and_plan_never_by_tenant(
    alpha: Tenant, gamma: Tenant, client_for: ClientFor, settings: Any, session_tenants: dict[str, Tenant]
) -> None:
    # given
    settings.METRICS_TOKEN = "metrics-secret"
    visit(client_for, alpha, 3)
    visit(client_for, gamma, 1)
    usage_collect()
    # when
    response = scrape(client_for)
    # then
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    found = families(response)
    requests = {(s.labels["kind"], s.labels["plan"]): s.value for s in found["saas_tenant_requests_24h"].samples}
    assert requests[("school", "none")] == 3 and requests[("store", "none")] == 1
    slugs = set(session_tenants)
    for family in found.values():
        for sample in family.samples:
            assert set(sample.labels) <= {"kind", "plan", "status", "method", "task", "outcome", "le"}, sample
            assert not slugs & set(sample.labels.values()), sample
    assert "saas_tenants" in found and "saas_tenant_db_bytes" in found


def test_metrics_series_stay_bounded_with_many_tenants(
    client_for: ClientFor, settings: Any, session_tenants: dict[str, Tenant], db: None
) -> None:
    # given
    settings.METRICS_TOKEN = "metrics-secret"
    scrape(client_for)  # the first scrape's own request is counted after its answer: a new series the first time
    before = sum(len(family.samples) for family in families(scrape(client_for)).values())
    # when
    many_tenants(40)
    after = families(scrape(client_for))
    # then
    assert sum(len(family.samples) for family in after.values()) == before
    school = [
        s for s in after["saas_tenants"].samples if s.labels == {"kind": "school", "plan": "none", "status": "active"}
    ]
    assert school[0].value >= 40 + 2


def test_metrics_need_the_token(
    client_for: ClientFor, settings: Any, session_tenants: dict[str, Tenant], db: None
) -> None:
    settings.METRICS_TOKEN = ""
    assert scrape(client_for).status_code == 404
    settings.METRICS_TOKEN = "metrics-secret"
    assert scrape(client_for, None).status_code == 403
    assert scrape(client_for, "wrong").status_code == 403
    assert scrape(client_for).status_code == 200
