"""Fetching a feed from a URL a host typed is guarded against SSRF (``properties.fetch``).

Refusals before any connection: not https, user info, hosts resolving to loopback, private,
link-local (cloud metadata) or other non-public addresses. Then, against a local server (the test
widens the allowed scheme to plain http and lets 127.0.0.1 through only where it says so): the
size and time caps, a redirect to the metadata address, and a host that passes the DNS check but
connects to loopback (DNS rebinding) refused by the socket-level guard.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tenant_apps.rental.properties import fetch
from tenant_apps.rental.properties.fetch import FetchRefused, address_allowed, fetch_calendar

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/feed.ics":
            self._answer(FEED)
        elif self.path == "/big.ics":
            self._answer(b"X" * (fetch.MAX_BYTES + 10))
        elif self.path == "/big-chunked.ics":
            self.send_response(200)
            self.end_headers()  # no Content-Length: read until the connection closes
            self.wfile.write(b"X" * (fetch.MAX_BYTES + 10))
        elif self.path == "/slow.ics":
            time.sleep(2.5)
            self._answer(FEED)
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()
        elif self.path == "/missing":
            self._answer(b"no", status=404)

    def _answer(self, body: bytes, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A local plain-HTTP server; yields its origin (``http://127.0.0.1:<port>``)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the fetch reach the local test server: http, and 127.0.0.1 (only) counted as public."""
    monkeypatch.setattr(fetch, "ALLOWED_SCHEMES", ("https", "http"))
    monkeypatch.setattr(fetch, "address_allowed", lambda address: address == "127.0.0.1" or address_allowed(address))


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "fd00::1",
        "224.0.0.1",
        "not an address",
    ],
)
def test_non_public_addresses_are_not_allowed(address: str) -> None:
    assert not address_allowed(address)


def test_public_addresses_are_allowed() -> None:
    assert address_allowed("93.184.216.34") and address_allowed("2606:2800:220:1:248:1893:25c8:1946")


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/cal.ics",
        "ftp://example.com/cal.ics",
        "file:///etc/passwd",
        "https://user:secret@example.com/cal.ics",
        "https://localhost/cal.ics",
        "https://127.0.0.1/cal.ics",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/cal.ics",
        "https://[::1]/cal.ics",
        "https://[::ffff:7f00:1]/cal.ics",
        "https://0x7f000001/cal.ics",
        "https://nonexistent.invalid/cal.ics",
    ],
)
def test_urls_that_are_not_public_https_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(FetchRefused):
        fetch_calendar(url)


@pytest.mark.usefixtures("loopback_allowed")
def test_a_served_feed_is_fetched(server: str) -> None:
    assert fetch_calendar(f"{server}/feed.ics") == FEED


@pytest.mark.usefixtures("loopback_allowed")
@pytest.mark.parametrize("path", ["/big.ics", "/big-chunked.ics"])
def test_a_feed_over_one_megabyte_is_refused(server: str, path: str) -> None:
    with pytest.raises(FetchRefused, match="larger than"):
        fetch_calendar(f"{server}{path}")


@pytest.mark.usefixtures("loopback_allowed")
def test_a_slow_feed_is_refused(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 1.0)
    started = time.monotonic()
    with pytest.raises(FetchRefused):
        fetch_calendar(f"{server}/slow.ics")
    assert time.monotonic() - started < 2.4


@pytest.mark.usefixtures("loopback_allowed")
def test_a_redirect_to_the_metadata_address_is_refused(server: str) -> None:
    with pytest.raises(FetchRefused, match="public internet"):
        fetch_calendar(f"{server}/to-metadata")


@pytest.mark.usefixtures("loopback_allowed")
def test_an_error_status_is_refused(server: str) -> None:
    with pytest.raises(FetchRefused, match="404"):
        fetch_calendar(f"{server}/missing")


def test_a_host_that_resolves_public_but_connects_to_loopback_is_refused(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the DNS check is fooled (rebinding: the name resolved to a public address a moment ago)
    monkeypatch.setattr(fetch, "ALLOWED_SCHEMES", ("https", "http"))
    monkeypatch.setattr(fetch, "_check_host", lambda host, port: None)
    # when the connection lands on loopback, then the socket-level guard refuses it
    with pytest.raises(FetchRefused, match="public internet"):
        fetch_calendar(f"{server}/feed.ics")
