"""Structured logs (``saas/logs.py``): every line of a request carries its request id, tenant and
user, and the id is returned to the client in ``X-Request-ID``."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from saas.logs import LogContextFilter
from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger also writes to a buffer, with the project's JSON formatter and filter."""
    config: dict[str, Any] = dict(settings.LOGGING["formatters"]["json"])  # type: ignore[index]
    formatter = import_string(config.pop("()"))(**config)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    handler.addFilter(LogContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    # whatever an earlier test did to these loggers (a worker's logging set-up, a level), they log INFO here
    saved = [
        (name, logging.getLogger(name).level, logging.getLogger(name).disabled)
        for name in ("tests.logs", "django.request")
    ]
    for name, _, _ in saved:
        logging.getLogger(name).setLevel(logging.INFO)
        logging.getLogger(name).disabled = False
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        for name, level, disabled in saved:
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).disabled = disabled


def _records(buffer: io.StringIO, message: str) -> list[dict[str, Any]]:
    return [r for r in map(json.loads, buffer.getvalue().splitlines()) if r.get("message") == message]


@pytest.fixture
def logging_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """``GET /api/v1/auth/user/`` logs "serving the user" before answering."""
    from dj_rest_auth.views import UserDetailsView

    original = UserDetailsView.get

    def get(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        logging.getLogger("tests.logs").info("serving the user", extra={"detail": 7})
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(UserDetailsView, "get", get)


def test_a_request_s_log_lines_are_json_with_its_id_tenant_and_user(
    alpha: Tenant, client_for: ClientFor, login: Login, json_lines: io.StringIO, logging_view: None
) -> None:
    # given
    client = client_for(alpha, login(alpha, "admin@alpha.test")["access"])
    # when
    response = client.get("/api/v1/auth/user/")
    # then
    [record] = _records(json_lines, "serving the user")
    assert record["request_id"] == response["X-Request-ID"] and len(response["X-Request-ID"]) == 32
    assert (record["tenant"], record["user_id"]) == ("alpha", str(response.json().get("pk", response.json().get("id"))))
    assert (record["level"], record["logger"], record["detail"]) == ("INFO", "tests.logs", 7)
    assert record["timestamp"].endswith("+00:00")


def test_a_client_s_request_id_is_kept_and_a_forged_one_replaced(
    alpha: Tenant, client_for: ClientFor, json_lines: io.StringIO, logging_view: None
) -> None:
    client = client_for(alpha)
    kept = client.get("/api/v1/site/", HTTP_X_REQUEST_ID="edge-7f3a.1")
    forged = client.get("/api/v1/site/", HTTP_X_REQUEST_ID='x" injected\\n{"level": "CRITICAL"}')
    too_long = client.get("/api/v1/site/", HTTP_X_REQUEST_ID="a" * 65)
    assert kept["X-Request-ID"] == "edge-7f3a.1"
    assert len(forged["X-Request-ID"]) == 32 and forged["X-Request-ID"].isalnum()
    assert len(too_long["X-Request-ID"]) == 32


def test_anonymous_and_platform_requests_log_without_a_user(
    client_for: ClientFor, json_lines: io.StringIO, logging_view: None, session_tenants: dict[str, Tenant], db: None
) -> None:
    response = client_for(None).get("/api/v1/auth/user/")
    [record] = [r for r in map(json.loads, json_lines.getvalue().splitlines()) if r.get("request_id")][-1:]
    assert response.status_code == 401
    assert (record["tenant"], record["user_id"], record["request_id"]) == ("public", None, response["X-Request-ID"])


def test_every_response_carries_an_id_even_the_probes(client_for: ClientFor) -> None:
    assert len(client_for(None).get("/healthz")["X-Request-ID"]) == 32
