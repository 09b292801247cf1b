"""A live application server for end-to-end tests: uvicorn serving ``saas.asgi:application`` in
a subprocess, on a free port of 127.0.0.1, against this test run's database.

The server is another process with its own connections: it sees only what is committed. The
session tenants (``tests/conftest.py``) are; a test drives its scenario over HTTP (log in as a
session tenant's admin, add, verify...) and cleans up over HTTP too. The test asks for the
``db`` fixture all the same, so that pytest-django sets the test database up (it does so only
for tests that name a database fixture); its rolled-back transaction stays unused. Not
``django_db(transaction=True)``: that truncates every table after the test, the session
tenants' rows in the public schema included.

Fixtures:

* ``app_server_env`` (session): extra environment for the server; override it in a conftest to
  change settings (the default points ``DNS_RESOLVERS`` at the session's DNS stub,
  ``live_dns_stub``, and sets a random ``TLS_ASK_TOKEN``).
* ``app_server`` (session): the running ``LiveServer``: ``base_url``, ``port``, ``env``, and
  ``request(method, path, host=..., token=..., json=...)`` sending any Host header (a tenant's
  platform host ``<slug>.localhost``, a custom domain) to it. A browser reaches a given host
  with ``--host-resolver-rules="MAP * 127.0.0.1:<port>"`` (Chromium), or through ``*.localhost``
  names, which resolve to the loopback address.

``start_live_server(env)`` starts one outside the fixtures (stop it with ``.stop()``).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from pytest_django import DjangoDbBlocker

from tests.dns_stub import DnsStub, start_dns_stub

ROOT = Path(__file__).resolve().parent.parent
#: Seconds the server may take to answer ``/healthz`` after starting.
START_TIMEOUT = 60.0


def free_tcp_port() -> int:
    """A TCP port of 127.0.0.1 free at the time of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(settings_dict: dict[str, Any]) -> str:
    """A ``DATABASE_URL`` naming the database of ``settings_dict`` (a Django connection's)."""
    user = quote(str(settings_dict.get("USER") or "postgres"), safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"


def gunicorn_command(port: int, *, graceful_timeout: int = 25) -> list[str]:
    """The production web command (``k8s/base/web.yaml``: gunicorn with uvicorn workers), one worker."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "saas.asgi:application",
        "--worker-class=uvicorn_worker.UvicornWorker",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
        f"--graceful-timeout={graceful_timeout}",
        "--no-control-socket",
    ]


class LiveServer:
    """A uvicorn subprocess serving the application (or ``command(port)``: e.g. ``gunicorn_command``);
    ``stop()`` ends it."""

    def __init__(self, env: dict[str, str], command: Any = None) -> None:
        self.port = free_tcp_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = env
        self._log = tempfile.NamedTemporaryFile(prefix="live-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.log_path = Path(self._log.name)
        self._process = subprocess.Popen(
            command(self.port)
            if command is not None
            else [
                sys.executable,
                "-m",
                "uvicorn",
                "saas.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = START_TIMEOUT) -> LiveServer:
        """Return once ``/healthz`` answers 200; raise with the server's log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still starting
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the live server did not start; its log:\n{self.log()}")

    def log(self) -> str:
        """What the server printed so far (uvicorn's access log included: one line per request)."""
        return self.log_path.read_text(errors="replace")

    def request(
        self, method: str, path: str, *, host: str, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        """Send ``method path`` with ``Host: host`` (and a Bearer ``token``) to the server."""
        headers = {"Host": host, **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.base_url}{path}", headers=headers, timeout=30, **kwargs)

    def login(self, host: str, email: str, password: str) -> str:
        """An access token of ``email`` on ``host``."""
        response = self.request("POST", "/api/v1/auth/login/", host=host, json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["access"])

    @property
    def pid(self) -> int:
        """The server process's id (gunicorn's master under ``gunicorn_command``)."""
        return int(self._process.pid)

    def wait(self, timeout: float) -> int | None:
        """The exit code once the process ended within ``timeout`` seconds, else ``None``."""
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL after 10 s)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
        self._log.close()


def start_live_server(
    settings_dict: dict[str, Any], env: dict[str, str] | None = None, command: Any = None
) -> LiveServer:
    """A ready server on the database of ``settings_dict``, with the test settings and ``env``
    (``command(port)``: another server command than uvicorn's)."""
    base = {
        "DJANGO_SETTINGS_MODULE": "saas.settings.test",
        "DATABASE_URL": database_url(settings_dict),
        "PYTHONUNBUFFERED": "1",
    }
    return LiveServer({**base, **(env or {})}, command).wait_ready()


@pytest.fixture(scope="session")
def live_dns_stub() -> Iterator[DnsStub]:
    """A DNS stub for the whole session (the live server's ``DNS_RESOLVERS``)."""
    stub = start_dns_stub()
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture(scope="session")
def app_server_env(live_dns_stub: DnsStub) -> dict[str, str]:
    """Extra environment of ``app_server``: the DNS stub, a random TLS ask token."""
    return {
        "DNS_RESOLVERS": live_dns_stub.address,
        "DNS_TIMEOUT": "3",
        "TLS_ASK_TOKEN": secrets.token_urlsafe(24),
    }


@pytest.fixture(scope="session")
def app_server(
    session_tenants: dict[str, Any], django_db_blocker: DjangoDbBlocker, app_server_env: dict[str, str]
) -> Iterator[LiveServer]:
    """The application served by uvicorn against this run's test database (session tenants committed)."""
    from django.db import connection

    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    server = start_live_server(settings_dict, app_server_env)
    try:
        yield server
    finally:
        server.stop()
