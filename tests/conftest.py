"""Test set-up: tenants are provisioned once per session; each test runs in a rolled-back transaction.

Session tenants (committed, shared by every test):

* ``alpha`` and ``beta``: two ``school`` sites, for isolation between tenants of one kind;
* ``gamma``: a ``store`` site, for separation between kinds;
* ``delta``: a second ``store`` site, for isolation between the store's tenants;
* ``echo`` and ``foxtrot``: two ``rental`` sites;
* ``golf`` and ``hotel``: two ``writing`` sites.

Each has an admin ``admin@<slug>.test`` with password ``PASSWORD``. Tests use the ``db`` fixture
(one transaction per test, rolled back), so rows they write vanish, while the schemas stay.

The test database: one per process (``test_<NAME>_<pid>``, see ``saas/settings/test.py``), so
two runs against one server never meet, and pytest-xdist's workers (``make test`` runs ``-n
auto``) each have their own. With ``--reuse-db`` it is named after this checkout and the worker
instead (``test_<NAME>_<checkout>_<worker>``) and kept: the next run migrates what is pending
(nothing, usually: a few seconds) and finds the session tenants provisioned. ``--create-db``
builds it afresh.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from pytest_django import DjangoDbBlocker
from rest_framework.test import APIClient

from saas.db.tenant import tenant_connection
from tests.fixture_types import ClientFor, Login, MakeUser

if TYPE_CHECKING:
    from shared_apps.tenancy.models import Tenant
    from tenant_apps.accounts.models import User

PASSWORD = "correct-horse-battery-staple"
PLATFORM_HOST = "localhost"

SESSION_TENANTS = {
    "alpha": "school",
    "beta": "school",
    "gamma": "store",
    "delta": "store",
    "echo": "rental",
    "foxtrot": "rental",
    "golf": "writing",
    "hotel": "writing",
}


@contextmanager
def keep_test_connection() -> Iterator[None]:
    """While active, requests served in-process (WSGI, ASGI) keep using the test's connection and
    its transaction, as Django's test client does: Django would otherwise close it per request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None, django_db_keepdb: bool) -> None:
    """pytest-django's hook for the test database's name: with ``--reuse-db``, one per checkout
    and xdist worker, the same from run to run (without it, the per-process name of the test
    settings, with pytest-django's worker suffix)."""
    if not django_db_keepdb:
        return
    from django.conf import settings

    database: dict[str, Any] = settings.DATABASES["default"]
    checkout = hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    test_settings: dict[str, Any] = database.setdefault("TEST", {})
    test_settings["NAME"] = f"test_{database['NAME']}_{checkout}_{worker}"


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, django_db_keepdb: bool
) -> Iterator[None]:
    """pytest-django's test databases, and before they are dropped, the end of every other session
    still connected to them (a thread's pooled connection a test left checked out): PostgreSQL
    refuses to drop a database in use, and each run would leave one behind on the machine. A
    warning names the sessions and the threads still alive, so the leak can be found. A database
    kept by ``--reuse-db`` is not dropped, and another run may be using it: nothing is ended."""
    yield
    if django_db_keepdb:
        return
    with django_db_blocker.unblock():
        left = _end_other_sessions()
    if left:
        alive = sorted(t.name for t in threading.enumerate() if t is not threading.main_thread())
        message = f"sessions left on the test database, ended: {left}; threads: {alive}"
        warnings.warn(pytest.PytestWarning(message), stacklevel=1)


def _end_other_sessions() -> list[tuple[Any, ...]]:
    """End the other sessions on the test database; ``(pid, state, query)`` of each. This thread's
    connection and this process's idle pooled ones are closed first (Django's ``close_pool``), and
    the query runs on a connection of its own, outside the pool, so only connections other threads
    still hold are found."""
    import psycopg

    connection.close()
    tenant_connection().close_pool()
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "host": db["HOST"], "port": db["PORT"], "user": db["USER"]}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, password=db["PASSWORD"] or None) as own:
        rows = own.execute(
            """
            SELECT pid, state, left(query, 120), pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """
        ).fetchall()
    return [tuple(row[:3]) for row in rows]


@pytest.fixture(scope="session")
def session_tenants(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> dict[str, Tenant]:
    """Provision the session tenants (and the platform admin) once, committed; a database kept by
    ``--reuse-db`` has them already, and they are reused (re-provisioned if one is missing or of
    another kind)."""
    from shared_apps.tenancy.models import Tenant, TenantKind, TenantStatus
    from shared_apps.tenancy.services import tenant_drop, tenant_provision
    from shared_apps.tenancy.templates import ensure_template
    from tenant_apps.accounts.models import User

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        assert name.startswith("test_"), f"refusing to provision test tenants into {name!r}"
        tenant_connection().set_schema_to_public()
        for kind in TenantKind.values:  # templates migrate (and commit) here, never inside a test
            ensure_template(kind)
        if not User.objects.filter(email="staff@localhost").exists():
            User.objects.create_superuser(email="staff@localhost", password=PASSWORD)
        if not User.objects.filter(email="nonstaff@localhost").exists():
            User.objects.create_user(email="nonstaff@localhost", password=PASSWORD)
        tenants = {}
        for slug, kind in SESSION_TENANTS.items():
            kept = Tenant.objects.filter(schema_name=slug).first()
            if kept is not None and kept.kind == kind and kept.status == TenantStatus.ACTIVE:
                tenants[slug] = kept
                continue
            if kept is not None:
                tenant_drop(tenant=kept, confirm_slug=slug)
            tenants[slug] = tenant_provision(
                kind=kind, slug=slug, name=slug.title(), owner_email=f"admin@{slug}.test", owner_password=PASSWORD
            )
        tenant_connection().set_schema_to_public()
    return tenants


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    """Every test starts on the public schema with empty caches, outboxes and SMS box."""
    from celery._state import _set_task_join_will_block
    from django.core import mail

    from tenant_apps.accounts.sms import LocmemSMSBackend

    for alias in ("default", "platform"):
        caches[alias].clear()
    LocmemSMSBackend.outbox.clear()
    mail.outbox = []
    tenant_connection().set_schema_to_public()
    # Celery's eager apply sets a process-wide "joining would block" flag and puts back what it found
    # on leaving; eager tasks on several threads at once (the race and money tests) can put back
    # another thread's True for good, and every later result.get() inside a task would then raise.
    _set_task_join_will_block(False)
    yield
    tenant_connection().set_schema_to_public()
    for alias in ("default", "platform"):
        caches[alias].clear()


@pytest.fixture
def alpha(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["alpha"]


@pytest.fixture
def beta(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["beta"]


@pytest.fixture
def gamma(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["gamma"]


@pytest.fixture
def delta(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["delta"]


@pytest.fixture
def echo(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["echo"]


@pytest.fixture
def foxtrot(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["foxtrot"]


@pytest.fixture
def golf(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["golf"]


@pytest.fixture
def hotel(session_tenants: dict[str, Tenant], db: None) -> Tenant:
    return session_tenants["hotel"]


def host_of(tenant: Tenant | None) -> str:
    """The host name a tenant is served on in tests."""
    return PLATFORM_HOST if tenant is None else f"{tenant.schema_name}.{PLATFORM_HOST}"


@pytest.fixture
def client_for() -> ClientFor:
    """``client_for(tenant_or_None, token=None)``: an API client sending that tenant's Host header."""

    def make(tenant: Tenant | None, token: str | None = None) -> APIClient:
        client = APIClient(HTTP_HOST=host_of(tenant))
        if token:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def login(client_for: ClientFor) -> Login:
    """``login(tenant_or_None, email, password=PASSWORD)`` -> ``{"access", "refresh"}`` via the API."""

    def do(tenant: Tenant | None, email: str, password: str = PASSWORD) -> dict[str, str]:
        response = client_for(tenant).post("/api/v1/auth/login/", {"email": email, "password": password})
        assert response.status_code == 200, response.content
        return {"access": response.json()["access"], "refresh": response.json()["refresh"]}

    return do


@pytest.fixture
def make_user() -> MakeUser:
    """``make_user(tenant, email, roles=[...])``: a user with ``PASSWORD`` in that tenant's schema (``UserFactory``)."""
    from tests.factories import UserFactory, create_in

    def make(tenant: Tenant, email: str, roles: list[str] | None = None, **fields: Any) -> User:
        return create_in(tenant, UserFactory, email=email, roles=roles, **fields)

    return make
