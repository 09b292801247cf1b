"""Helpers of the e-mail tests: a local HTTP endpoint recording SendGrid v3 calls, and a Celery worker.

``sendgrid`` switches ``EMAIL_BACKEND`` to the real ``SendGridEmailBackend`` (official SDK, real
HTTP) pointed at the recorder through ``SENDGRID_API_HOST``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pytest_django import Settings

from tests.saas.test_celery import worker  # noqa: F401  (the real worker thread fixture, reused)

API_KEY = "SG.test-key"


@dataclass
class RecordedCall:
    method: str
    path: str
    headers: dict[str, str]
    payload: Any


@dataclass
class SendGridRecorder:
    """What the fake SendGrid received; ``status`` is what it answers (202 = accepted)."""

    host: str
    calls: list[RecordedCall] = field(default_factory=list)
    status: int = 202
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def payloads(self) -> list[Any]:
        return [call.payload for call in self.calls]

    def wait_for(self, count: int, timeout: float = 10) -> list[RecordedCall]:
        """Block until ``count`` calls arrived (from another thread); returns them."""
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.calls) >= count, timeout), self.calls
            return list(self.calls)


def _handler_for(recorder: SendGridRecorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            call = RecordedCall("POST", self.path, dict(self.headers.items()), json.loads(body or b"null"))
            with recorder.arrived:
                recorder.calls.append(call)
                recorder.arrived.notify_all()
            answer = (
                b""
                if recorder.status == 202
                else json.dumps({"errors": [{"message": f"fake SendGrid answers {recorder.status}"}]}).encode()
            )
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def sendgrid(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[SendGridRecorder]:
    """A fake SendGrid on 127.0.0.1 (free port), and settings that send all e-mail to it."""
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)  # urllib would route 127.0.0.1 through a proxy
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    recorder = SendGridRecorder(host=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler_for(recorder)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SENDGRID_API_KEY = API_KEY
    settings.SENDGRID_API_HOST = recorder.host
    settings.EMAIL_BACKEND = "tenant_apps.emails.backends.SendGridEmailBackend"
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
