"""Celery tenancy: a task runs, on a real worker, in the schema of the tenant it was sent from.

The worker is an in-process thread (``celery.contrib.testing.worker.start_worker``) consuming
from the in-memory broker, with results in an in-memory cache backend: nothing runs eagerly
and no Redis is needed.

The worker thread has its own database connection, so it sees only committed rows (the
session tenants and their admins), never what a test writes inside its rolled-back transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from django_tenants.utils import tenant_context

from saas.celery import app
from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant

RESULT_TIMEOUT = 10


@app.task(bind=True, name="tests.saas.report_schema")
def report_schema(self: Any) -> dict[str, Any]:
    """What a task sees: its schema, the users of that schema, and how it was run."""
    from saas.logs import current_request_id
    from tenant_apps.accounts.models import User

    return {
        "schema": tenant_connection().schema_name,
        "emails": sorted(User.objects.values_list("email", flat=True)),
        "eager": bool(self.request.is_eager),
        "thread": threading.get_ident(),
        "request_id": current_request_id(),
    }


@contextmanager
def worker_thread() -> Iterator[None]:
    """Run ``start_worker`` from a helper thread until the block exits.

    Starting a worker sends ``worker_init`` in the starting thread, where Celery's Django fixup
    closes that thread's database connections; started from the test thread, it would close
    the connection holding the test's transaction.
    """
    started, stop = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def host() -> None:
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=RESULT_TIMEOUT):
                started.set()
                stop.wait()
        except BaseException as exc:
            failure.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=host, name="celery-test-worker-host", daemon=True)
    thread.start()
    is_up = started.wait(RESULT_TIMEOUT)
    try:
        if failure:
            raise failure[0]
        assert is_up, "the test worker did not start"
        yield
    finally:
        stop.set()
        thread.join(RESULT_TIMEOUT * 2)
        if failure:
            raise failure[0]
        assert not thread.is_alive(), "the test worker did not stop"


@pytest.fixture(scope="module")
def worker(session_tenants: dict[str, Any]) -> Iterator[None]:
    """A real worker thread on the memory broker: tasks not eager, results kept in memory.

    One worker serves the whole module (stopping one takes seconds); tests still need the
    ``db`` fixture, which lets the worker thread reach the test database while they run.
    """
    overrides = {
        "task_always_eager": False,
        "broker_url": "memory://",
        "result_backend": "cache+memory://",
        "worker_hijack_root_logger": False,
        "broker_transport_options": {"polling_interval": 0.01},
    }
    saved = {key: app.conf[key] for key in overrides}
    saved_backend = (app._backend_cache, getattr(app._local, "backend", None))

    def forget_backend() -> None:
        app._backend_cache = None
        if hasattr(app._local, "backend"):
            del app._local.backend

    app.conf.update(overrides)
    forget_backend()
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("CELERY_SKIP_CHECKS", "1")  # the Django fixup would run system checks on start
            with worker_thread():
                yield
    finally:
        app.conf.update(saved)
        forget_backend()
        app._backend_cache = saved_backend[0]
        if saved_backend[1] is not None:
            app._local.backend = saved_backend[1]


@pytest.fixture
def published_headers() -> Iterator[dict[str, dict[str, Any]]]:
    """Headers of every task message published during the test, by task id."""
    captured: dict[str, dict[str, Any]] = {}

    def record(sender: Any = None, headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers:
            captured[headers["id"]] = dict(headers)

    before_task_publish.connect(record, weak=False)
    try:
        yield captured
    finally:
        before_task_publish.disconnect(record)


def send_from(tenant: Tenant | None) -> Any:
    """Send ``report_schema`` while the connection is on ``tenant`` (None = the public schema)."""
    if tenant is None:
        tenant_connection().set_schema_to_public()
        return report_schema.delay()
    with tenant_context(tenant):
        return report_schema.delay()


def test_task_sent_from_a_tenant_runs_on_the_worker_in_that_tenants_schema(
    db: None, worker: None, session_tenants: dict[str, Tenant]
) -> None:
    # given
    alpha = session_tenants["alpha"]
    # when
    result = send_from(alpha).get(timeout=RESULT_TIMEOUT, interval=0.01)
    # then: it ran on the worker thread, not eagerly in the test
    assert result["eager"] is False
    assert result["thread"] != threading.get_ident()
    assert result["schema"] == "alpha"
    assert result["emails"] == ["admin@alpha.test"]


def test_tasks_from_two_tenants_each_see_only_their_own_users(
    db: None, worker: None, session_tenants: dict[str, Tenant]
) -> None:
    # when: sent one after the other, the second while the first may still be queued
    from_alpha = send_from(session_tenants["alpha"])
    from_beta = send_from(session_tenants["beta"])
    from_gamma = send_from(session_tenants["gamma"])
    # then
    alpha_view = from_alpha.get(timeout=RESULT_TIMEOUT, interval=0.01)
    beta_view = from_beta.get(timeout=RESULT_TIMEOUT, interval=0.01)
    gamma_view = from_gamma.get(timeout=RESULT_TIMEOUT, interval=0.01)
    assert (alpha_view["schema"], alpha_view["emails"]) == ("alpha", ["admin@alpha.test"])
    assert (beta_view["schema"], beta_view["emails"]) == ("beta", ["admin@beta.test"])
    assert (gamma_view["schema"], gamma_view["emails"]) == ("gamma", ["admin@gamma.test"])


def test_task_sent_after_a_tenant_task_from_the_platform_runs_in_public(
    db: None, worker: None, session_tenants: dict[str, Tenant]
) -> None:
    # given: the worker's connection was last switched to a tenant
    assert send_from(session_tenants["beta"]).get(timeout=RESULT_TIMEOUT, interval=0.01)["schema"] == "beta"
    # when
    result = send_from(None).get(timeout=RESULT_TIMEOUT, interval=0.01)
    # then: platform staff, no tenant's users
    assert result["schema"] == "public"
    assert "staff@localhost" in result["emails"]
    assert not any(email.endswith(".test") for email in result["emails"])


def test_task_message_carries_the_sending_schema_in_its_headers(
    db: None, worker: None, session_tenants: dict[str, Tenant], published_headers: dict[str, dict[str, Any]]
) -> None:
    # when
    sent_from_alpha = send_from(session_tenants["alpha"])
    sent_from_gamma = send_from(session_tenants["gamma"])
    sent_from_alpha.get(timeout=RESULT_TIMEOUT, interval=0.01)
    sent_from_gamma.get(timeout=RESULT_TIMEOUT, interval=0.01)
    # then
    assert published_headers[sent_from_alpha.id]["_schema_name"] == "alpha"
    assert published_headers[sent_from_gamma.id]["_schema_name"] == "gamma"


def test_a_task_sent_while_serving_a_request_logs_with_its_request_id(
    db: None, worker: None, session_tenants: dict[str, Tenant], published_headers: dict[str, dict[str, Any]]
) -> None:
    # given: a request being served, and no request (beat, a command)
    from saas.logs import bind_request_id, unbind_request_id

    token = bind_request_id("req-abc.123")
    try:
        during_request = send_from(session_tenants["alpha"])
    finally:
        unbind_request_id(token)
    on_its_own = send_from(session_tenants["alpha"])
    # then: the first carries the request's id to the worker; the second logs with its own task id
    assert published_headers[during_request.id]["request_id"] == "req-abc.123"
    assert during_request.get(timeout=RESULT_TIMEOUT, interval=0.01)["request_id"] == "req-abc.123"
    assert "request_id" not in published_headers[on_its_own.id]
    assert on_its_own.get(timeout=RESULT_TIMEOUT, interval=0.01)["request_id"] == on_its_own.id
