"""Custom domains end to end through the TLS edge: a real Caddy (``k8s/edge/Caddyfile``, its
internal CA) in front of the live application server (``tests/live.py``), DNS from the stub.

A school's admin adds ``shop-<random>.test`` on its platform host, publishes the TXT record (in
the stub), verifies; then ``curl`` fetches ``https://<domain>/api/v1/site/`` through Caddy: the
certificate is issued on demand after Caddy asked the platform (``/api/v1/tls/ask/``, with the
shared token), and the answer is the school's site. A pending domain gets no certificate: the
platform answers the ask with 404, and the TLS handshake fails.

Caddy comes from Debian's package (``.ci/run`` installs it); without it the test is skipped
locally and fails in CI (``CI`` set).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.dns_stub import DnsStub
from tests.live import ROOT, LiveServer, free_tcp_port

pytestmark = pytest.mark.e2e

CADDYFILE = ROOT / "k8s" / "edge" / "Caddyfile"
#: Seconds Caddy may take to start and create its CA.
CADDY_START_TIMEOUT = 30.0


def _need(program: str) -> str:
    found = shutil.which(program) or (f"/usr/bin/{program}" if Path(f"/usr/bin/{program}").exists() else None)
    if found is None:
        message = f"{program} is not installed (Debian package {program}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass
class Caddy:
    """A running Caddy: its HTTPS port, the root certificate of its internal CA, its log."""

    https_port: int
    root_cert: Path
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        """What Caddy logged so far."""
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def caddy(app_server: LiveServer, tmp_path: Path) -> Iterator[Caddy]:
    """Caddy with ``k8s/edge/Caddyfile`` unchanged: internal CA, free ports, temporary XDG dirs,
    the platform's ``TLS_ASK_TOKEN``."""
    binary = _need("caddy")
    https_port, http_port, ask_port, admin_port = (free_tcp_port() for _ in range(4))
    env = {
        **os.environ,
        "CADDY_ISSUER": "internal",
        "UPSTREAM": f"127.0.0.1:{app_server.port}",
        "PLATFORM_DOMAIN": "localhost",
        "CADDY_HTTP_PORT": str(http_port),
        "CADDY_HTTPS_PORT": str(https_port),
        "CADDY_ASK_PORT": str(ask_port),
        "CADDY_ADMIN": f"127.0.0.1:{admin_port}",
        "TLS_ASK_TOKEN": app_server.env["TLS_ASK_TOKEN"],
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    log_path = tmp_path / "caddy.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    root_cert = tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    running = Caddy(https_port=https_port, root_cert=root_cert, log_path=log_path, process=process)
    try:
        deadline = time.monotonic() + CADDY_START_TIMEOUT
        while not (root_cert.exists() and _listening(https_port)) and time.monotonic() < deadline:
            assert process.poll() is None, f"Caddy exited; its log:\n{running.log()}"
            time.sleep(0.2)
        assert root_cert.exists() and _listening(https_port), f"Caddy did not start; its log:\n{running.log()}"
        yield running
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _curl(caddy: Caddy, domain: str, path: str) -> subprocess.CompletedProcess[str]:
    """``curl`` ``https://<domain>:<port><path>`` through Caddy, trusting only its root certificate."""
    return subprocess.run(
        [
            _need("curl"),
            "--silent",
            "--show-error",
            "--max-time",
            "30",
            "--resolve",
            f"{domain}:{caddy.https_port}:127.0.0.1",
            "--cacert",
            str(caddy.root_cert),
            "--write-out",
            "\n%{http_code}",
            f"https://{domain}:{caddy.https_port}{path}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_verified_domain_gets_a_certificate_and_serves_the_site_a_pending_one_gets_none(
    db: None, app_server: LiveServer, live_dns_stub: DnsStub, caddy: Caddy
) -> None:
    suffix = secrets.token_hex(4)
    domain, pending = f"shop-{suffix}.test", f"pending-{suffix}.test"
    token = app_server.login("alpha.localhost", "admin@alpha.test", PASSWORD)
    added: list[int] = []
    try:
        # given: alpha's admin adds both names on alpha's platform host, publishes one TXT record, verifies it
        for name in (domain, pending):
            response = app_server.request(
                "POST", "/api/v1/domains/", host="alpha.localhost", token=token, json={"domain": name}
            )
            assert response.status_code == 201, response.text
            added.append(response.json()["id"])
        shop = app_server.request("GET", f"/api/v1/domains/{added[0]}/", host="alpha.localhost", token=token).json()
        record = shop["verification_record"]
        live_dns_stub.set_txt(record["name"], record["value"])
        verify = app_server.request("POST", f"/api/v1/domains/{added[0]}/verify/", host="alpha.localhost", token=token)
        assert verify.status_code == 200 and verify.json()["status"] == "verified", verify.text

        # when: curl fetches the site on the verified domain through Caddy
        served = _curl(caddy, domain, "/api/v1/site/")
        # then: a certificate from Caddy's CA (curl verified it), and alpha's site
        assert served.returncode == 0, f"{served.stderr}\n--- caddy ---\n{caddy.log()}"
        body, status = served.stdout.rsplit("\n", 1)
        assert status == "200", served.stdout
        assert json.loads(body)["slug"] == "alpha"

        # when: the pending domain is asked for
        refused = _curl(caddy, pending, "/api/v1/site/")
        ask = app_server.request(
            "GET",
            "/api/v1/tls/ask/",
            host="localhost",
            params={"domain": pending, "token": app_server.env["TLS_ASK_TOKEN"]},
        )
        # then: no certificate, the handshake fails; Caddy asked the platform (the server's access
        # log shows its questions: 200 for the verified name, 404 for the pending one)
        assert refused.returncode != 0, refused.stdout
        assert refused.stdout.strip() in {"", "000"}, refused.stdout
        assert ask.status_code == 404 and ask.json()["error"]["code"] == "unknown_tenant"
        asked = [line for line in app_server.log().splitlines() if "/api/v1/tls/ask/" in line]
        assert any(f"domain={domain}" in line and '" 200' in line for line in asked), asked
        assert any(f"domain={pending}" in line and '" 404' in line for line in asked), asked
    finally:
        for pk in added:  # clean up over HTTP: the server's rows are committed
            app_server.request("DELETE", f"/api/v1/domains/{pk}/", host="alpha.localhost", token=token)
        live_dns_stub.remove(f"_saas-challenge.{domain}")
