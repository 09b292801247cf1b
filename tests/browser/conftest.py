"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

* **The browser** is ``/usr/bin/chromium`` (Debian's package; Playwright downloads nothing), with
  every host name resolved to 127.0.0.1 (``--host-resolver-rules``), so ``alpha.localhost`` or a
  custom domain reach the live server. Without it the tests skip locally and **fail** in CI (env
  ``CI`` set): a missing browser must not pass for green there.
* **The live server** is ``tests/live.py``'s ``app_server``: uvicorn serving the app in a
  subprocess on this run's test database, with a DNS stub as its resolver. It cannot see a test's
  rolled-back transaction, so what it must serve is committed by module-scoped fixtures
  (``committed``) or made over HTTP, and removed after (a tenant provisioned for the module is
  dropped whole). A custom domain is added and verified through the domains API against the stub.
* **Screenshots** of every page a scenario visits go to ``tests/browser/artifacts/`` (git-ignored;
  CI keeps them as artifacts): ``<test>-<step>.png``, full page.

Playwright's sync API runs an event loop in the test's thread while it is started. Django refuses
ORM calls from a thread with a running loop unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set, so it is
set for the browser modules only (``_async_unsafe_allowed``; the loop only drives the browser, the
ORM calls are ordinary synchronous ones), and Playwright runs per module (``browser``): a loop left
running for the rest of the session would break every later test that calls async code from sync
code (``async_to_sync``: "cannot use AsyncToSync in the same thread as an async event loop"), and
the variable would switch Django's guard off for the whole suite.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pytest_django import DjangoDbBlocker

from saas.db.tenant import tenant_connection
from tests.live import LiveServer, app_server, app_server_env, live_dns_stub  # noqa: F401 (fixtures)

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).parent / "artifacts"
#: A customer's own domain serving a tenant (added and verified by the fixtures).
CUSTOM_HOST = "school-admin.test"


def url(server: LiveServer, host: str, path: str = "/") -> str:
    """``http://<host>:<port><path>`` on the live server (the browser resolves every host to it)."""
    return f"http://{host}:{server.port}{path}"


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium binary; skips without it, unless in CI, where its absence fails the run."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    message = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module", autouse=True)
def _async_unsafe_allowed() -> Iterator[None]:
    """``DJANGO_ALLOW_ASYNC_UNSAFE`` while a browser module runs (see the module docstring)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(chromium: str, app_server: LiveServer) -> Iterator[Any]:  # noqa: F811 (the fixture)
    """Chromium, headless, every host name resolved to the live server's address; Playwright
    (and its event loop) is stopped when the module ends."""
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
