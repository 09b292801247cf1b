"""Liveness (/healthz) and readiness (/readyz) probes, as a load balancer or Kubernetes sees them."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import Settings
from rest_framework.test import APIClient

from saas import cache, health
from shared_apps.tenancy.models import Tenant

# Known hosts, a host no tenant uses, a host outside ALLOWED_HOSTS, and a pod IP with a port.
PROBE_HOSTS = ["localhost", "alpha.localhost", "nobody.localhost", "evil.example.com", "10.1.2.3:8000"]


def probe(path: str, host: str = "localhost") -> tuple[int, dict]:
    response = APIClient(HTTP_HOST=host).get(path)
    return response.status_code, response.json()


@pytest.fixture
def redis_client_cache() -> Iterator[None]:
    """Forget the process's Redis pools and breakers before and after, so REDIS_URL overrides start clean."""
    cache.reset()
    yield
    cache.reset()


def database_down() -> None:
    raise ConnectionError("database is down")


@pytest.mark.parametrize("host", PROBE_HOSTS)
@pytest.mark.parametrize("path", ["/healthz", "/healthz/"])
def test_liveness_answers_ok_on_any_host(alpha: Tenant, host: str, path: str) -> None:
    # when
    status, body = probe(path, host)
    # then
    assert (status, body) == (200, {"status": "ok"})


def test_liveness_touches_no_database(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the database is down
    monkeypatch.setattr(health, "check_database", database_down)
    # when
    with CaptureQueriesContext(connection) as queries:
        status, body = probe("/healthz")
    # then: a database outage does not get the process restarted
    assert (status, body) == (200, {"status": "ok"})
    assert queries.captured_queries == []


@pytest.mark.parametrize("host", PROBE_HOSTS)
def test_readiness_is_ok_on_any_host_when_the_database_answers(alpha: Tenant, settings: Settings, host: str) -> None:
    # given
    settings.REDIS_URL = ""
    # when
    status, body = probe("/readyz", host)
    # then
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok"}}


def test_readiness_is_503_and_names_the_database_when_it_fails(
    db: None, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "check_database", database_down)
    # when
    status, body = probe("/readyz")
    # then
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error")
    assert "ConnectionError" in body["checks"]["database"]


def test_readiness_is_503_and_names_redis_when_redis_is_unreachable(
    db: None, settings: Settings, redis_client_cache: None
) -> None:
    # given: nothing listens on port 1
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    # when
    status, body = probe("/readyz")
    # then
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")


def test_readiness_does_not_check_redis_when_redis_is_not_configured(
    db: None, settings: Settings, redis_client_cache: None
) -> None:
    # given
    settings.REDIS_URL = ""
    # when
    status, body = probe("/readyz")
    # then
    assert status == 200
    assert "redis" not in body["checks"]


def _redis_reachable(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis listening on 127.0.0.1:6379")
def test_readiness_is_ok_when_configured_redis_answers(db: None, settings: Settings, redis_client_cache: None) -> None:
    # given
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    # when
    status, body = probe("/readyz")
    # then
    assert status == 200
    assert body["checks"] == {"database": "ok", "redis": "ok"}
