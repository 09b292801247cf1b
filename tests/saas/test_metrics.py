"""Prometheus metrics of requests and tasks (issue 18, point 5; ``saas/metrics.py``): counted in
every process, added up in Redis, read by one scrape of ``GET /api/v1/metrics/``, with labels
that do not grow with the number of tenants."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pytest_django import Settings
from rest_framework.test import APIClient

from saas import cache, metrics
from saas.celery import app
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor
from tests.redis_server import CLOSED_PORT_URL, PrivateRedis
from tests.redis_server import private_redis as private_redis  # the fixture, for this module
from tests.saas.test_celery import RESULT_TIMEOUT
from tests.saas.test_celery import worker as worker  # the fixture: a worker thread on the memory broker

TOKEN = "metrics-secret"


@app.task(name="tests.saas.metrics.succeeds")
def succeeds() -> str:
    return "done"


@app.task(name="tests.saas.metrics.fails")
def fails() -> None:
    raise ValueError("the task failed")


@app.task(bind=True, name="tests.saas.metrics.retries_once", max_retries=1, default_retry_delay=0)
def retries_once(self: Any) -> str:
    if self.request.retries == 0:
        raise self.retry(exc=RuntimeError("try again"))
    return "second time lucky"


@pytest.fixture
def own_redis(settings: Settings, private_redis: PrivateRedis) -> Iterator[PrivateRedis]:
    """The counters on a Redis of this test's own, sent at every observation; nothing pending."""
    settings.USAGE_REDIS_URL = private_redis.url
    settings.USAGE_FLUSH_SECONDS = 0
    settings.METRICS_TOKEN = TOKEN
    metrics.reset()
    yield private_redis
    metrics.reset()
    cache.reset()


def scrape(client_for: ClientFor) -> dict[str, Any]:
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    response = client.get("/api/v1/metrics/")
    assert response.status_code == 200
    return {family.name: family for family in text_string_to_metric_families(response.content.decode())}


def sample(found: dict[str, Any], family: str, name: str, **labels: str) -> float:
    """The value of sample ``name`` of ``family`` with exactly ``labels`` (0 when absent)."""
    for item in found[family].samples:
        if item.name == name and item.labels == labels:
            return float(item.value)
    return 0.0


def requests_of(found: dict[str, Any], **labels: str) -> float:
    return sample(found, "saas_http_requests", "saas_http_requests_total", **labels)


def test_requests_are_counted_by_kind_method_and_status_class(
    own_redis: PrivateRedis, alpha: Tenant, gamma: Tenant, client_for: ClientFor
) -> None:
    # given: a school (alpha) and a store (gamma)
    school, store = client_for(alpha), client_for(gamma)
    # when
    for _ in range(3):
        assert school.get("/api/v1/schema/").status_code == 200
    assert school.post("/api/v1/auth/login/", {}, format="json").status_code == 400
    assert store.get("/api/v1/no-such-page/").status_code == 404
    assert store.generic("BREW", "/api/v1/schema/").status_code == 405
    assert APIClient(HTTP_HOST="nowhere.localhost").get("/api/v1/site/").status_code == 404
    found = scrape(client_for)
    # then
    assert requests_of(found, kind="school", method="GET", status="2xx") == 3
    assert requests_of(found, kind="school", method="POST", status="4xx") == 1
    assert requests_of(found, kind="store", method="GET", status="4xx") == 1
    assert requests_of(found, kind="store", method="other", status="4xx") == 1  # a client's method: bounded
    assert requests_of(found, kind="none", method="GET", status="4xx") == 1  # no site at that host
    histogram = "saas_http_request_duration_seconds"
    assert sample(found, histogram, f"{histogram}_count", kind="school") == 4
    assert sample(found, histogram, f"{histogram}_bucket", kind="school", le="+Inf") == 4
    assert sample(found, histogram, f"{histogram}_sum", kind="school") > 0
    buckets = [s.value for s in found[histogram].samples if s.name.endswith("_bucket") and s.labels["kind"] == "school"]
    assert buckets == sorted(buckets)  # cumulative


def test_labels_never_name_a_tenant_so_series_do_not_grow_with_tenants(
    own_redis: PrivateRedis, session_tenants: dict[str, Tenant], db: None, client_for: ClientFor
) -> None:
    # given: every session tenant visited, then scraped twice (the first scrape counts itself)
    for tenant in session_tenants.values():
        client_for(tenant).get("/api/v1/schema/")
    scrape(client_for)
    series = {(s.name, tuple(sorted(s.labels.items()))) for s in scrape(client_for)["saas_http_requests"].samples}
    # when: the same traffic again
    for tenant in session_tenants.values():
        client_for(tenant).get("/api/v1/schema/")
    found = scrape(client_for)
    # then: the same series, and none carries a slug
    assert {(s.name, tuple(sorted(s.labels.items()))) for s in found["saas_http_requests"].samples} == series
    kinds = {s.labels["kind"] for s in found["saas_http_requests"].samples}
    assert kinds <= {tenant.kind for tenant in session_tenants.values()} | {"public", "none"}
    assert len(kinds) < len(session_tenants)


def test_task_outcomes_and_durations_are_counted(
    own_redis: PrivateRedis, worker: None, db: None, client_for: ClientFor
) -> None:
    # when: tasks run by a real worker (not eagerly: a retry is a new message)
    for _ in range(2):
        assert succeeds.delay().get(timeout=RESULT_TIMEOUT) == "done"
    with pytest.raises(ValueError):
        fails.delay().get(timeout=RESULT_TIMEOUT)
    assert retries_once.delay().get(timeout=RESULT_TIMEOUT) == "second time lucky"
    found = scrape(client_for)

    # then
    def tasks(task: str, outcome: str) -> float:
        return sample(found, "saas_celery_tasks", "saas_celery_tasks_total", task=task, outcome=outcome)

    assert tasks("tests.saas.metrics.succeeds", "success") == 2
    assert tasks("tests.saas.metrics.fails", "failure") == 1
    assert tasks("tests.saas.metrics.retries_once", "retry") == 1
    assert tasks("tests.saas.metrics.retries_once", "success") == 1
    histogram = "saas_celery_task_duration_seconds"
    assert sample(found, histogram, f"{histogram}_count", task="tests.saas.metrics.succeeds") == 2


def test_counts_of_every_process_add_up_in_one_scrape(
    own_redis: PrivateRedis, alpha: Tenant, client_for: ClientFor
) -> None:
    # given: another process (a worker pod, say) that ran five tasks and sent its counts
    program = textwrap.dedent(
        f"""
        import django
        django.setup()
        from django.conf import settings
        settings.USAGE_REDIS_URL = {own_redis.url!r}
        from saas import metrics
        for _ in range(5):
            metrics.count(metrics.TASKS, ("tests.saas.metrics.succeeds", "success"))
        metrics.metrics_send()
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saas.settings.test"}
    subprocess.run([sys.executable, "-c", program], env=env, check=True, timeout=120)
    # when: this process runs one more
    succeeds.delay()
    found = scrape(client_for)
    # then
    total = sample(
        found, "saas_celery_tasks", "saas_celery_tasks_total", task="tests.saas.metrics.succeeds", outcome="success"
    )
    assert total == 6


def test_with_redis_down_requests_are_served_and_their_counts_wait_for_it(
    own_redis: PrivateRedis, alpha: Tenant, client_for: ClientFor, settings: Settings
) -> None:
    # given: the counters' Redis unreachable
    settings.USAGE_REDIS_URL = CLOSED_PORT_URL
    settings.REDIS_RETRY_SECONDS = 0
    school = client_for(alpha)
    # when
    responses = [school.get("/api/v1/schema/").status_code for _ in range(3)]
    # then: served; and once Redis is back, the counts reach it
    assert responses == [200, 200, 200]
    settings.USAGE_REDIS_URL = own_redis.url
    found = scrape(client_for)
    assert requests_of(found, kind="school", method="GET", status="2xx") == 3


def test_without_redis_the_process_serves_its_own_counts(
    own_redis: PrivateRedis, alpha: Tenant, client_for: ClientFor, settings: Settings
) -> None:
    # given: the embedded setup of make run (one process, no Redis)
    settings.USAGE_REDIS_URL = ""
    commands = own_redis.commands()
    # when
    client_for(alpha).get("/api/v1/schema/")
    found = scrape(client_for)
    # then
    assert requests_of(found, kind="school", method="GET", status="2xx") == 1
    assert own_redis.commands() == commands
