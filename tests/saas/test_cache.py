"""saas.cache: one Redis connection pool per process, a circuit breaker, cache reads that fail soft."""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
import redis
from django.core.cache import caches
from django.db import connections
from django.test import Client
from pytest_django import Settings

from saas import cache
from shared_apps.tenancy.models import Tenant
from tests import redis_server
from tests.redis_server import CLOSED_PORT_URL, PrivateRedis

private_redis = redis_server.private_redis  # the fixture, for this module

DJANGO_BACKEND = "django.core.cache.backends.redis.RedisCache"
OUR_BACKEND = "saas.cache.RedisCache"


@pytest.fixture(autouse=True)
def fresh_pools() -> Iterator[None]:
    """Pools and breakers are per process: start and end each test without any."""
    cache.reset()
    yield
    cache.reset()


def use_redis_caches(settings: Settings, url: str, backend: str = OUR_BACKEND) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": backend,
            "LOCATION": url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        },
        "platform": {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": "platform"},
    }


def count_connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for every TCP connection redis-py attempts."""
    attempts: list[int] = []
    original = redis.connection.Connection._connect

    def counting(self: Any) -> Any:
        attempts.append(1)
        return original(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counting)
    return attempts


@pytest.mark.parametrize(("backend", "opens_one_per_request"), [(DJANGO_BACKEND, True), (OUR_BACKEND, False)])
def test_requests_in_many_threads_open_at_most_the_pool_size_of_connections(
    alpha: Tenant, settings: Settings, private_redis: PrivateRedis, backend: str, opens_one_per_request: bool
) -> None:
    # given: caches on a Redis of our own, a pool of 3, and 8 threads serving 5 requests each,
    # every request in a context of its own as under ASGI (``caches`` holds one object per context)
    use_redis_caches(settings, private_redis.url, backend)
    settings.REDIS_MAX_CONNECTIONS = 3
    statuses: list[int] = []

    def serve(thread: int) -> None:
        client = Client(HTTP_HOST="alpha.localhost")
        try:
            for i in range(5):
                # a throttled endpoint: reads and writes the default cache
                response = contextvars.Context().run(
                    client.post,
                    "/api/v1/auth/login/",
                    {"email": f"nobody-{thread}-{i}@alpha.test", "password": "wrong"},
                    content_type="application/json",
                )
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=serve, args=(n,)) for n in range(8)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: every request was answered (wrong credentials, or allauth's own failed-login limit);
    # Django's backend connected once per request, ours shares 3 connections
    assert len(statuses) == 40
    assert set(statuses) <= {400, 429}
    if opens_one_per_request:
        assert private_redis.connections_received() >= 40
    else:
        assert private_redis.connections_received() <= 3


def test_cache_objects_of_every_thread_and_context_use_the_one_pool(
    settings: Settings, private_redis: PrivateRedis
) -> None:
    # given
    use_redis_caches(settings, private_redis.url)
    pools: set[int] = set()

    def use() -> None:
        caches["default"].set("k", 1)
        # private: the backend's Redis client, and the pool it picks
        client = cast(cache.SharedPoolCacheClient, cast(cache.RedisCache, caches["default"])._cache)
        pools.add(id(client._get_connection_pool(write=True)))

    # when
    threads = [threading.Thread(target=lambda: contextvars.Context().run(use)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contextvars.Context().run(use)
    # then: one pool, shared with the notification publisher and the readiness check
    assert pools == {id(cache.shared_pool(private_redis.url))}
    assert cache.redis_client(private_redis.url).connection_pool is cache.shared_pool(private_redis.url)


def test_reads_answer_a_miss_and_writes_raise_when_redis_is_unreachable(settings: Settings) -> None:
    # given: nothing listens on the port
    use_redis_caches(settings, CLOSED_PORT_URL)
    default = caches["default"]
    # then: a read is a miss (the caller recomputes)
    assert default.get("key", "fallback") == "fallback"
    assert default.get_many(["a", "b"]) == {}
    assert default.has_key("key") is False
    assert default.get_or_set("key", lambda: "computed") == "computed"
    # and a write raises: a throttle that cannot count must not pass silently
    with pytest.raises(redis.ConnectionError):
        default.set("key", 1)
    with pytest.raises(redis.ConnectionError):
        default.incr("key")


def test_after_a_failure_redis_is_skipped_for_the_retry_interval(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # given
    use_redis_caches(settings, CLOSED_PORT_URL)
    settings.REDIS_RETRY_SECONDS = 60
    attempts = count_connects(monkeypatch)
    caplog.set_level(logging.INFO)
    # when: many reads and writes during the outage
    started = time.monotonic()
    for _ in range(50):
        assert caches["default"].get("key") is None
        with pytest.raises(cache.RedisUnavailable):
            caches["platform"].set("key", 1)
    elapsed = time.monotonic() - started
    # then: Redis was tried once (and retried once, as a broken connection is), then skipped
    assert len(attempts) <= 2
    assert cache.breaker(CLOSED_PORT_URL).is_open
    assert elapsed < 1
    # and the outage is one warning, not one per call, and no traceback
    redis_records = [r for r in caplog.records if r.name == "saas.cache"]
    assert [r.levelname for r in redis_records] == ["WARNING"]
    assert redis_records[0].exc_info is None


def test_the_breaker_lets_one_probe_through_after_the_interval_and_closes_when_it_succeeds(
    settings: Settings, private_redis: PrivateRedis
) -> None:
    # given: a breaker that opened (as after a failure) on a Redis that answers again
    use_redis_caches(settings, private_redis.url)
    settings.REDIS_RETRY_SECONDS = 0.2
    caches["default"].set("key", "value")
    cache.breaker(private_redis.url).record_failure(redis.ConnectionError("gone"))
    before = private_redis.commands()
    # when / then: skipped while open, no command sent
    assert caches["default"].get("key") is None
    assert private_redis.commands() == before
    # when / then: after the interval the next call goes through and closes the breaker
    time.sleep(0.25)
    assert caches["default"].get("key") == "value"
    assert not cache.breaker(private_redis.url).is_open
    assert caches["default"].get("key") == "value"


def test_a_command_error_does_not_open_the_breaker(settings: Settings, private_redis: PrivateRedis) -> None:
    # given: a value Redis cannot increment
    use_redis_caches(settings, private_redis.url)
    caches["default"].set("key", "not a number")
    # when
    with pytest.raises(redis.ResponseError):
        caches["default"].incr("key")
    # then: Redis answered, so it is not unreachable
    assert not cache.breaker(private_redis.url).is_open


def test_connection_options_are_refused_since_the_pool_is_shared(settings: Settings) -> None:
    # given
    settings.CACHES = {"default": {"BACKEND": OUR_BACKEND, "LOCATION": CLOSED_PORT_URL, "OPTIONS": {"db": 3}}}
    # when / then
    with pytest.raises(Exception, match="takes no connection OPTIONS"):
        caches["default"].set("key", 1)


def test_private_redis_counts_only_what_we_send(private_redis: PrivateRedis) -> None:
    # the helper the counting tests rely on
    client = redis.Redis.from_url(private_redis.url)
    client.ping()  # connected (redis-py sends its CLIENT SETINFO on connect)
    before = private_redis.commands()
    client.set("x", 1)
    client.get("x")
    assert private_redis.commands() - before == 2
