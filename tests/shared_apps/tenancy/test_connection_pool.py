"""Connections come from one bounded pool per process, and a pooled connection never serves the
tenant that used it before.

Requests here run on threads, each with its own Django connection taken from the process's pool
and given back at the end of every request (as ``request_finished`` does under a server), with
more threads than the pool has connections, so connections go from one tenant to the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from psycopg_pool import PoolTimeout
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.conftest import host_of
from tests.fixture_types import Login

CLIENTS = 16
REQUESTS_PER_CLIENT = 12


def test_every_process_uses_a_bounded_pool_without_persistent_connections() -> None:
    db: dict[str, Any] = settings.DATABASES["default"]
    assert db["OPTIONS"]["pool"]["max_size"] >= 1
    assert db["CONN_MAX_AGE"] == 0
    assert tenant_connection().pool is not None


def test_a_pooled_connection_starts_with_no_remembered_search_path(
    alpha: Tenant, beta: Tenant, resize_pool: Callable[..., dict[str, Any]]
) -> None:
    # given: a pool of one connection, which served alpha and was given back
    resize_pool(1, timeout=10.0)

    def serve(tenant: Any) -> tuple[int, str]:
        conn = tenant_connection()  # this thread's
        conn.set_tenant(tenant)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting('search_path')")
            pid, path = cursor.fetchone()
        return pid, path

    alpha_pid, alpha_path = _on_thread(lambda: serve(alpha))
    assert alpha_path == "alpha, public"

    # when: another thread takes the same session out of the pool
    def fresh_checkout() -> tuple[int, list[str] | None, str]:
        conn = tenant_connection()  # this thread's
        conn.ensure_connection()
        remembered = conn.search_path_set_schemas
        with conn.connection.cursor() as raw:  # below Django: what the session itself holds
            raw.execute("SELECT pg_backend_pid(), current_setting('search_path')")
            pid, path = raw.fetchone()
        return pid, remembered, path

    pid, remembered, path_in_session = _on_thread(fresh_checkout)

    # then: the backend remembers no path, the pool's reset dropped alpha's, and beta gets beta's
    assert pid == alpha_pid
    assert remembered is None
    assert "alpha" not in path_in_session
    assert _on_thread(lambda: serve(beta)) == (alpha_pid, "beta, public")


def test_a_connection_given_back_to_the_pool_holds_no_advisory_lock(
    alpha: Tenant, resize_pool: Callable[..., dict[str, Any]]
) -> None:
    """Closing a connection used to end its session and its locks (``template_lock`` counts on
    it); given back to the pool, the session lives on, so the pool's reset releases them."""
    # given: a pool of one connection, whose session takes a session-level advisory lock
    resize_pool(1, timeout=10.0)

    def lock_and_give_back() -> int:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(hashtext('test-pool-reset')), pg_backend_pid()")
            return int(cursor.fetchone()[1])

    pid = _on_thread(lock_and_give_back)

    # when: the session is back in the pool (taking it again waits for the reset)
    assert _on_thread(_backend_pid) == pid

    # then
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = %s", [pid])
        assert cursor.fetchone()[0] == 0


def _backend_pid() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_concurrent_requests_alternating_tenants_each_see_only_their_own_rows(
    alpha: Tenant, beta: Tenant, login: Login
) -> None:
    # given: a token per tenant, and more clients than the pool has connections
    tokens = {t.schema_name: login(t, f"admin@{t.schema_name}.test")["access"] for t in (alpha, beta)}
    db: dict[str, Any] = settings.DATABASES["default"]
    assert db["OPTIONS"]["pool"]["max_size"] < CLIENTS
    seen: list[tuple[str, str, int]] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        for n in range(REQUESTS_PER_CLIENT):
            tenant = (alpha, beta)[(index + n) % 2]
            api = APIClient(HTTP_HOST=host_of(tenant))
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[tenant.schema_name]}")
            response = api.get("/api/v1/auth/user/")
            connections.close_all()  # the end of a request under a server: back to the pool
            with lock:
                seen.append((tenant.schema_name, response.json().get("email", ""), response.status_code))

    # when
    _run_threads([partial(client, i) for i in range(CLIENTS)])

    # then: every answer is the asking tenant's own admin
    assert len(seen) == CLIENTS * REQUESTS_PER_CLIENT
    wrong = [s for s in seen if s[2] != 200 or s[1] != f"admin@{s[0]}.test"]
    assert wrong == []


@pytest.fixture
def resize_pool() -> Iterator[Callable[..., dict[str, Any]]]:
    """``resize_pool(max_size, timeout=...)``: the process's pool replaced by a smaller one (the
    test's own connection stays open and belongs to the old pool); restored afterwards."""
    options = connection.settings_dict["OPTIONS"]
    saved = options["pool"]

    def resize(max_size: int, timeout: float = 0.3) -> dict[str, Any]:
        options["pool"] = {**saved, "min_size": 0, "max_size": max_size, "timeout": timeout}
        tenant_connection().close_pool()  # the next connection creates the new pool
        return dict(options["pool"])

    try:
        yield resize
    finally:
        tenant_connection().close_pool()
        options["pool"] = saved


@pytest.fixture
def small_pool(resize_pool: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A pool of 2 connections that gives up after 0.3 s."""
    return resize_pool(2)


def _holding_every_connection(size: int) -> tuple[threading.Event, list[threading.Thread]]:
    """Threads that each take a pooled connection and keep it until the returned event is set."""
    taken = threading.Barrier(size + 1)
    release = threading.Event()

    def hold() -> None:
        try:
            connections["default"].ensure_connection()
            taken.wait(timeout=30)
            release.wait(timeout=60)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hold) for _ in range(size)]
    for thread in threads:
        thread.start()
    taken.wait(timeout=30)
    return release, threads


def test_an_exhausted_pool_answers_a_json_503_with_retry_after(
    alpha: Tenant, beta: Tenant, login: Login, small_pool: dict[str, Any]
) -> None:
    # given: a token, then every connection of the pool taken
    token = login(alpha, "admin@alpha.test")["access"]
    release, threads = _holding_every_connection(small_pool["max_size"])
    try:
        # when: a request needs a connection
        def request() -> Any:
            api = APIClient(HTTP_HOST=host_of(alpha), raise_request_exception=False)
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            try:
                return api.get("/api/v1/auth/user/")
            finally:
                connections.close_all()

        response = _on_thread(request)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)

    # then
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "server_error"


def test_an_exhausted_pool_outside_an_api_view_is_a_json_503_too(alpha: Tenant, small_pool: dict[str, Any]) -> None:
    # given: every connection taken; the host is not cached, so the tenant middleware must query
    release, threads = _holding_every_connection(small_pool["max_size"])
    try:
        # when
        def request() -> Any:
            try:
                return APIClient(HTTP_HOST=host_of(alpha), raise_request_exception=False).get("/api/v1/site/")
            finally:
                connections.close_all()

        response = _on_thread(request)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)

    # then: handler500 recognised the pool's timeout
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "server_error"


def test_the_pool_gives_up_with_pool_timeout_after_its_timeout(db: None, small_pool: dict[str, Any]) -> None:
    release, threads = _holding_every_connection(small_pool["max_size"])
    try:

        def checkout() -> BaseException | None:
            try:
                connections["default"].ensure_connection()
            except Exception as exc:  # the outcome under test
                return exc
            finally:
                connections.close_all()
            return None

        error = _on_thread(checkout)
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert isinstance(error.__cause__, PoolTimeout)


def _on_thread(fn: Callable[[], Any]) -> Any:
    """``fn()`` on a new thread (its own connection from the pool); its exception is re-raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # re-raised below
            outcome["error"] = exc

    _run_threads([run])
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _run_threads(fns: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def run(fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in fns]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"
    if errors:
        raise errors[0]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DB_POOL_MODE": "statement"}, "DB_POOL_MODE must be 'session' or 'transaction'"),
        ({"DB_CONN_MAX_AGE": "60"}, "DB_CONN_MAX_AGE must be 0 while the connection pool is on"),
        ({"DB_POOL_MIN_SIZE": "5", "DB_POOL_MAX_SIZE": "4"}, "DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE"),
    ],
)
def test_settings_refuse_a_pool_configuration_that_cannot_work(variables: dict[str, str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, **variables, "DJANGO_SETTINGS_MODULE": "saas.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
