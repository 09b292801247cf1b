"""PostgreSQL going away under traffic and coming back (issue 18, points 2 and 4): while it is
gone, requests answer a clean 503 JSON error and ``/readyz`` says unready; nothing of a write that
failed is stored; once it is back, requests succeed again without restarting anything.

The production server (gunicorn, one uvicorn worker, the connection pool) reaches the test
database through ``TcpProxy``, which the test cuts the way a PostgreSQL restart does (every
connection closed at once, new ones refused), without touching the machine's PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context
from pytest_django import DjangoDbBlocker

from saas.db.tenant import tenant_connection
from tests.conftest import PASSWORD
from tests.live import LiveServer, gunicorn_command, start_live_server
from tests.tcp_proxy import TcpProxy

SLUG = "dbrestart"
HOST = f"{SLUG}.localhost"
#: Seconds the server's pool waits for a connection before answering 503 (the test's DB_POOL_TIMEOUT).
POOL_TIMEOUT = 2


@pytest.fixture(scope="module")
def proxied(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[LiveServer, TcpProxy, Any]]:
    """A committed tenant of this module, and the server reaching the database through the proxy."""
    from shared_apps.tenancy.services import tenant_drop, tenant_provision

    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
        tenant = tenant_provision(
            kind="school", slug=SLUG, name="Restart", owner_email=f"admin@{SLUG}.test", owner_password=PASSWORD
        )
        tenant_connection().set_schema_to_public()
    proxy = TcpProxy(str(settings_dict.get("HOST") or "127.0.0.1"), int(settings_dict.get("PORT") or 5432))
    server = start_live_server(
        {**settings_dict, "HOST": "127.0.0.1", "PORT": proxy.port},
        {"DB_POOL_TIMEOUT": str(POOL_TIMEOUT), "DB_POOL_MIN_SIZE": "1"},
        command=gunicorn_command,
    )
    try:
        yield server, proxy, tenant
    finally:
        server.stop()
        proxy.close()
        with django_db_blocker.unblock():
            tenant_drop(tenant=tenant, confirm_slug=SLUG)
            tenant_connection().set_schema_to_public()


def _until_ready(server: LiveServer, deadline_seconds: float = 90.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if server.request("GET", "/readyz", host="localhost").status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError(f"not ready again within {deadline_seconds} s; server log:\n{server.log()[-3000:]}")


def test_a_database_restart_answers_503_meanwhile_loses_nothing_and_recovers(
    proxied: tuple[LiveServer, TcpProxy, Any], db: None
) -> None:
    server, proxy, tenant = proxied
    # given: a signed-in user and a working site
    token = server.login(HOST, f"admin@{SLUG}.test", PASSWORD)
    assert server.request("GET", "/api/v1/tickets/", host=HOST, token=token).status_code == 200
    assert server.request("GET", "/readyz", host="localhost").status_code == 200
    # when PostgreSQL goes away
    proxy.cut()
    try:
        # then: unready, and every request a clean JSON 503 with Retry-After
        ready = server.request("GET", "/readyz", host="localhost")
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("error")
        for method, path, body in (
            ("GET", "/api/v1/tickets/", None),
            ("POST", "/api/v1/tickets/", {"subject": "written while down", "body": "B"}),
        ):
            answer = server.request(method, path, host=HOST, token=token, json=body)
            assert answer.status_code == 503, (method, answer.status_code, answer.text[:300])
            assert answer.json()["error"]["code"] in {"database_unavailable", "server_error"}
            assert answer.headers["Retry-After"] == "1"
    finally:
        # when it is back
        proxy.restore()
    _until_ready(server)
    created = server.request("POST", "/api/v1/tickets/", host=HOST, token=token, json={"subject": "after", "body": "B"})
    # then the site works again, and the write made while it was down left nothing behind
    assert created.status_code == 201, created.text
    with tenant_context(tenant):
        from tenant_apps.tickets.models import Ticket

        assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["after"]
