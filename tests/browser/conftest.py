"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

* **The browser** is ``/usr/bin/chromium`` (Debian's package; Playwright downloads nothing), with
  every host name resolved to 127.0.0.1 (``--host-resolver-rules``), so ``alpha.localhost`` or a
  custom domain reach the live server. Without it the tests skip locally and **fail** in CI (env
  ``CI`` set): a missing browser must not pass for green there.
* **The live server** is a real process: uvicorn serving ``saas.asgi:application`` on a free port,
  with the test settings and ``DATABASE_URL`` pointing at this run's test database. It cannot see
  a test's rolled-back transaction, so what it must serve is committed by module-scoped fixtures
  (``committed``) and removed after (a tenant provisioned for the module is dropped whole).
* **Screenshots** of every page a scenario visits go to ``tests/browser/artifacts/`` (git-ignored;
  CI keeps them as artifacts): ``<test>-<step>.png``, full page.

Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls from a
thread with a running loop unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set, which it is here (the
loop only drives the browser; the ORM calls are ordinary synchronous ones).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from pytest_django import DjangoDbBlocker

from saas.db.tenant import tenant_connection

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
ROOT = Path(__file__).resolve().parents[2]
#: A customer's own domain serving a tenant (the routing row is made by the fixtures).
CUSTOM_HOST = "school-admin.test"
#: Seconds the live server may take to answer ``/healthz``.
STARTUP_SECONDS = 60


@dataclass(frozen=True)
class LiveServer:
    """The running server: ``url(host, path)`` is ``http://<host>:<port><path>``."""

    port: int
    log: Path

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url(settings: dict[str, Any]) -> str:
    user = quote(settings.get("USER") or "postgres", safe="")
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    return f"postgres://{auth}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/{settings['NAME']}"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary; skips without it, unless in CI, where its absence fails the run."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    message = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def app_server(chromium: str, session_tenants: Any, django_db_blocker: DjangoDbBlocker) -> Iterator[LiveServer]:
    """uvicorn serving the app on a free port, on this run's (already migrated) test database.

    Not named ``live_server``: pytest-django's fixture of that name makes every test using it
    ``transactional_db``, whose flush would empty the platform's tables the session tenants need.

    ``ALLOWED_HOSTS`` adds ``CUSTOM_HOST`` to the platform's hosts. Stopped (SIGTERM, then SIGKILL)
    at the end of the session; its output is in ``artifacts/live-server-<xdist worker>.log``.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    port = _free_port()
    log = ARTIFACTS / f"live-server-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    env = {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": _database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "saas.settings.test"),
        "ALLOWED_HOSTS": f"localhost,.localhost,{CUSTOM_HOST}",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "uvicorn", "saas.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(port), "--lifespan", "off", "--no-access-log"),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the live server did not start:\n{log.read_text(errors='replace')[-4000:]}")
            time.sleep(0.2)
        yield LiveServer(port=port, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium: str, app_server: LiveServer) -> Iterator[Any]:
    """Chromium, headless, every host name resolved to the live server's address."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=["--host-resolver-rules=MAP * 127.0.0.1", f"--explicitly-allowed-ports={app_server.port}"],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and its page, for one test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


Snap = Callable[[Any, str], Path]


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Snap:
    """``snap(page, step)``: a full-page screenshot to ``artifacts/<test>-<NN>-<step>.png`` (steps
    numbered in the order taken)."""
    taken: list[str] = []
    test = request.node.name.replace("[", "-").replace("]", "")

    def take(page: Any, step: str) -> Path:
        taken.append(step)
        path = ARTIFACTS / f"{test}-{len(taken):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    ARTIFACTS.mkdir(exist_ok=True)
    return take


@contextmanager
def committed(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Run the block outside any test transaction, so what it writes is committed (the live server
    sees it); the connection is on the public schema before and after."""
    with django_db_blocker.unblock():
        tenant_connection().set_schema_to_public()
        try:
            yield
        finally:
            tenant_connection().set_schema_to_public()


def provision(django_db_blocker: DjangoDbBlocker, *, slug: str, kind: str) -> Any:
    """A tenant ``slug`` provisioned (committed) for a module, after dropping one left by an
    interrupted run; its admin is ``admin@<slug>.test`` with ``PASSWORD``. Drop it with ``drop``."""
    from shared_apps.tenancy.services import tenant_provision
    from tests.conftest import PASSWORD

    drop(django_db_blocker, slug)
    with committed(django_db_blocker):
        return tenant_provision(
            kind=kind, slug=slug, name=slug.title(), owner_email=f"admin@{slug}.test", owner_password=PASSWORD
        )


def drop(django_db_blocker: DjangoDbBlocker, slug: str) -> None:
    """Drop tenant ``slug`` (its schema, domains and row) if it exists."""
    from shared_apps.tenancy.models import Tenant
    from shared_apps.tenancy.services import tenant_drop

    with committed(django_db_blocker):
        for tenant in Tenant.objects.filter(schema_name=slug):
            tenant_drop(tenant=tenant, confirm_slug=slug)


def sign_in(page: Any, url: str, email: str, password: str) -> None:
    """Open ``url`` (an admin page), land on the login form and submit it."""
    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def run_action(page: Any, action: str, *pks: Any) -> None:
    """On a changelist: tick the rows ``pks``, choose ``action`` and press Go."""
    for pk in pks:
        page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
