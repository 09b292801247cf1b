"""Host -> tenant from process memory: no query and no Redis command in the steady state, every
change seen by every process within ``TENANT_CACHE_CHECK_SECONDS``, and a Redis outage answered
from the database, never with an error.

Two ``HostRouter`` objects on one ``platform`` cache play two processes: the module's router
(the "writer", which the signals of ``Tenant`` and ``Domain`` saves go through) and another.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings

from saas import cache
from shared_apps.tenancy import hosts
from shared_apps.tenancy.hosts import HostRouter, primary_host, tenant_for_host
from shared_apps.tenancy.models import Domain, Tenant, TenantStatus
from tests import redis_server
from tests.fixture_types import ClientFor
from tests.redis_server import CLOSED_PORT_URL, PrivateRedis

private_redis = redis_server.private_redis  # the fixture, for this module

ALPHA = "alpha.localhost"


@pytest.fixture(autouse=True)
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new module router (this "process" starts cold) and no Redis pools or breakers."""
    cache.reset()
    monkeypatch.setattr(hosts, "router", HostRouter())
    yield
    cache.reset()


def use_redis_platform_cache(settings: Settings, url: str) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "platform": {"BACKEND": "saas.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "platform"},
    }
    settings.REDIS_URL = url


def domain_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "tenancy_domain" in q["sql"]]


@pytest.fixture(params=["local memory", "redis"])
def shared_cache(request: pytest.FixtureRequest, settings: Settings) -> str:
    """The ``platform`` cache two processes share: local memory (development, tests) or a Redis."""
    if request.param == "redis":
        server = request.getfixturevalue("private_redis")
        use_redis_platform_cache(settings, server.url)
    return str(request.param)


def test_a_status_change_in_one_process_reaches_another_within_the_interval(
    alpha: Tenant, settings: Settings, shared_cache: str
) -> None:
    # given: another process resolved alpha's host while it was active
    settings.TENANT_CACHE_CHECK_SECONDS = 1.0
    other = HostRouter()
    before = tenant_for_host(ALPHA, using=other)
    assert before is not None
    assert before.status == TenantStatus.ACTIVE
    # when: this process suspends alpha (the signal announces it)
    changed = Tenant.objects.get(pk=alpha.pk)
    changed.status = TenantStatus.SUSPENDED
    changed.save()
    # then: this process sees it at once; the other answers from memory until its next check...
    here = tenant_for_host(ALPHA)
    assert here is not None
    assert here.status == TenantStatus.SUSPENDED
    with CaptureQueriesContext(connection) as queries:
        there = tenant_for_host(ALPHA, using=other)
        assert there is not None
        assert there.status == TenantStatus.ACTIVE
    assert queries.captured_queries == []
    # ...and sees the change within the interval
    time.sleep(1.05)
    after = tenant_for_host(ALPHA, using=other)
    assert after is not None
    assert after.status == TenantStatus.SUSPENDED


def test_a_new_domain_in_one_process_reaches_another_within_the_interval(
    alpha: Tenant, settings: Settings, shared_cache: str
) -> None:
    # given: another process knows the host as nobody's, and alpha's primary host
    settings.TENANT_CACHE_CHECK_SECONDS = 0.3
    other = HostRouter()
    assert tenant_for_host("alpha.example.org", using=other) is None
    assert primary_host("alpha", using=other) == ALPHA
    # when: this process adds the domain as alpha's primary one
    Domain.objects.filter(tenant=alpha).update(is_primary=False)
    Domain.objects.create(tenant=alpha, domain="alpha.example.org", is_primary=True)
    # then: within the interval the other process routes it, and links use it
    time.sleep(0.35)
    routed = tenant_for_host("alpha.example.org", using=other)
    assert routed is not None
    assert routed.pk == alpha.pk
    assert primary_host("alpha", using=other) == "alpha.example.org"


def test_only_the_changed_hosts_are_loaded_again(
    alpha: Tenant, beta: Tenant, settings: Settings, shared_cache: str
) -> None:
    # given: another process knows alpha's and beta's hosts
    other = HostRouter()
    tenant_for_host(ALPHA, using=other)
    tenant_for_host("beta.localhost", using=other)
    # when: alpha changes
    changed = Tenant.objects.get(pk=alpha.pk)
    changed.name = "Alpha renamed"
    changed.save()
    # then: the other process reloads alpha's host only
    with CaptureQueriesContext(connection) as queries:
        reloaded = tenant_for_host(ALPHA, using=other)
        assert reloaded is not None
        assert reloaded.name == "Alpha renamed"
        tenant_for_host("beta.localhost", using=other)
    assert len(domain_queries(queries)) == 1


def test_a_process_that_missed_changes_drops_everything(alpha: Tenant, settings: Settings) -> None:
    # given: another process knows alpha's host; a change it cannot read (its entry is gone)
    other = HostRouter()
    tenant_for_host(ALPHA, using=other)
    caches["platform"].incr(hosts.VERSION_KEY)
    # when
    with CaptureQueriesContext(connection) as queries:
        tenant_for_host(ALPHA, using=other)
    # then
    assert len(domain_queries(queries)) == 1


def test_steady_state_requests_send_no_redis_command_and_run_no_query(
    alpha: Tenant, beta: Tenant, gamma: Tenant, client_for: ClientFor, settings: Settings, private_redis: PrivateRedis
) -> None:
    # given: Redis as the platform cache, and every host resolved once
    use_redis_platform_cache(settings, private_redis.url)
    settings.TENANT_CACHE_CHECK_SECONDS = 60
    tenants: list[Tenant | None] = [alpha, beta, gamma, None]
    for tenant in tenants:
        assert client_for(tenant).get("/api/v1/site/").status_code in (200, 404)
    commands = private_redis.commands()
    connections_before = private_redis.connections_received()
    # when
    with CaptureQueriesContext(connection) as queries:
        for _ in range(10):
            for tenant in tenants:
                client_for(tenant).get("/api/v1/site/")
    # then: neither a query nor a Redis command, nor a new connection
    assert queries.captured_queries == []
    assert private_redis.commands() == commands
    assert private_redis.connections_received() == connections_before


def test_the_version_is_read_once_per_interval_not_per_request(
    alpha: Tenant,
    client_for: ClientFor,
    settings: Settings,
    private_redis: PrivateRedis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the router's clock in the test's hands (wall time made this flaky on a loaded
    # machine: one stalled request could swallow an interval), and one request to warm up
    clock = [1000.0]
    monkeypatch.setattr(hosts, "time", SimpleNamespace(monotonic=lambda: clock[0], time=time.time))
    use_redis_platform_cache(settings, private_redis.url)
    settings.TENANT_CACHE_CHECK_SECONDS = 0.5
    client = client_for(alpha)
    client.get("/api/v1/site/")
    reads: list[int] = []
    # when: ten requests at each of five moments after the warm-up
    for step in (0.2, 0.4, 0.6, 1.2, 1.3):
        clock[0] = 1000.0 + step
        commands = private_redis.commands()
        for _ in range(10):
            assert client.get("/api/v1/site/").status_code == 200
        reads.append(private_redis.commands() - commands)
    # then: one read of the version (one GET) once an interval has passed, none within it
    assert reads == [0, 0, 1, 1, 0]


def test_with_redis_unreachable_routing_answers_from_the_database(
    alpha: Tenant,
    gamma: Tenant,
    client_for: ClientFor,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given: the platform cache and REDIS_URL on a port nothing listens on
    use_redis_platform_cache(settings, CLOSED_PORT_URL)
    settings.TENANT_CACHE_CHECK_SECONDS = 0  # every lookup checks: worst case
    settings.REDIS_RETRY_SECONDS = 60
    attempts: list[int] = []
    original = redis.connection.Connection._connect

    def counting(self: Any) -> Any:
        attempts.append(1)
        return original(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting)
    caplog.set_level(logging.INFO)
    # when
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        responses = [client_for(tenant).get("/api/v1/site/") for _ in range(10) for tenant in (alpha, gamma)]
    elapsed = time.monotonic() - started
    # then: every request served, its tenant read from the database
    assert [r.status_code for r in responses] == [200] * 20
    assert [r.json()["slug"] for r in responses[:2]] == ["alpha", "gamma"]
    assert len(domain_queries(queries)) >= 20
    # without waiting on Redis: tried once (and retried once), then skipped by the breaker
    assert len(attempts) <= 2
    assert elapsed < 10
    # and logged as two warnings (Redis unreachable; routing falls back), no error, no traceback
    ours = [r for r in caplog.records if r.name in ("saas.cache", "shared_apps.tenancy.hosts")]
    assert sorted((r.name, r.levelname) for r in ours) == [
        ("saas.cache", "WARNING"),
        ("shared_apps.tenancy.hosts", "WARNING"),
    ]
    assert all(r.exc_info is None for r in ours)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_tenant_change_during_an_outage_succeeds_and_is_seen_here_at_once(
    alpha: Tenant, client_for: ClientFor, settings: Settings
) -> None:
    # given
    use_redis_platform_cache(settings, CLOSED_PORT_URL)
    assert client_for(alpha).get("/api/v1/site/").status_code == 200
    # when: the change cannot be announced to other processes
    changed = Tenant.objects.get(pk=alpha.pk)
    changed.status = TenantStatus.SUSPENDED
    changed.save()
    # then: it is saved, and this process sees it
    assert client_for(alpha).get("/api/v1/site/").status_code == 403


def test_routing_resumes_from_memory_when_redis_answers_again(
    alpha: Tenant, settings: Settings, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    # given: a check that failed (routing fell back to the database)
    use_redis_platform_cache(settings, private_redis.url)
    settings.REDIS_RETRY_SECONDS = 0.2
    router = hosts.router
    cache.breaker(private_redis.url).record_failure(redis.ConnectionError("gone"))
    router.check_for_changes(force=True)
    assert router._fallback
    # when: the breaker lets a probe through, and it succeeds
    time.sleep(0.25)
    caplog.set_level(logging.INFO)
    router.check_for_changes(force=True)
    tenant_for_host(ALPHA)
    # then: lookups are cached again
    with CaptureQueriesContext(connection) as queries:
        tenant_for_host(ALPHA)
    assert not router._fallback
    assert queries.captured_queries == []
    assert any("resume" in r.getMessage() for r in caplog.records)


def test_a_lookup_that_began_before_an_invalidation_does_not_store_its_answer(alpha: Tenant) -> None:
    # given: a load that is overtaken by an invalidation (another thread applying a change)
    router = HostRouter()

    def slow_load() -> tuple[str, float]:
        router.drop(["host:x"])
        return "stale", 300.0

    # when
    assert router.lookup("host:x", slow_load) == "stale"
    # then: the next lookup loads again
    assert router.lookup("host:x", lambda: ("fresh", 300.0)) == "fresh"


def test_callers_get_a_copy_of_the_cached_tenant(alpha: Tenant) -> None:
    # given
    first = tenant_for_host(ALPHA)
    assert first is not None
    # when: a request changes its tenant object (the middleware sets domain_url)
    first.domain_url = "changed.example"
    first.name = "changed"
    # then: the cached one is untouched
    cached = tenant_for_host(ALPHA)
    assert cached is not None
    assert cached.name == "Alpha"
    assert getattr(tenant_for_host(ALPHA), "domain_url", None) != "changed.example"


def test_unknown_hosts_cannot_grow_the_cache_beyond_its_bound(
    db: None, session_tenants: dict[str, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(hosts, "MAX_ENTRIES", 5)
    # when: a scanner sends many host names
    for i in range(20):
        assert tenant_for_host(f"scan-{i}.localhost") is None
    # then
    assert hosts.router.size() == 5
