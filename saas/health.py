"""Liveness and readiness probes, answered before tenant resolution so they work on any Host.

* ``/healthz``: the process is alive; touches nothing.
* ``/readyz``: PostgreSQL answers, and Redis answers when ``REDIS_URL`` is configured;
  ``503`` with the failing checks otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from saas.cache import breaker, redis_client

logger = logging.getLogger(__name__)


def check_database() -> None:
    """Raise when the database does not answer ``SELECT 1``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis() -> None:
    """Raise when Redis does not answer ``PING`` (on the process's shared pool, through its breaker:
    within ``REDIS_RETRY_SECONDS`` of a failure this answers "unavailable" without trying)."""
    breaker(settings.REDIS_URL).call(redis_client(settings.REDIS_URL).ping)


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every configured check; returns (all ok, {check: "ok" | "error: ..."})."""
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure means "not ready"; the reason is reported
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"error: {exc.__class__.__name__}"
    return all(v == "ok" for v in results.values()), results


class HealthCheckMiddleware:
    """Answers ``/healthz`` and ``/readyz`` on every host, known or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path == "/healthz":
            return JsonResponse({"status": "ok"})
        if path == "/readyz":
            ok, checks = readiness()
            return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
        return self.get_response(request)
