"""A web pod told to stop (SIGTERM, as Kubernetes sends it) ends its notification streams at once
with a ``reconnect`` event, finishes the requests in flight, and exits long before its graceful
timeout (issue 18, point 4; ``saas/shutdown.py``).

The production command (``gunicorn_command``: gunicorn with one uvicorn worker) serves this run's
test database; the session tenants are committed there. Without the drain, the open stream would
hold the worker until gunicorn's graceful timeout (60 s here) killed it."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from typing import Any

import requests
from django.db import connection
from pytest_django import DjangoDbBlocker

from tests.conftest import PASSWORD
from tests.live import gunicorn_command, start_live_server

GRACEFUL_TIMEOUT = 60


def _read_response(sock: socket.socket) -> tuple[int, dict[str, Any]]:
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_sigterm_ends_streams_finishes_requests_in_flight_and_exits_promptly(
    session_tenants: dict[str, Any], django_db_blocker: DjangoDbBlocker, db: None
) -> None:
    # given: the production server, a user with an open notification stream
    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    server = start_live_server(
        settings_dict, command=lambda port: gunicorn_command(port, graceful_timeout=GRACEFUL_TIMEOUT)
    )
    try:
        token = server.login("alpha.localhost", "admin@alpha.test", PASSWORD)
        stream = requests.get(
            f"{server.base_url}/api/v1/notifications/stream/",
            headers={"Host": "alpha.localhost", "Authorization": f"Bearer {token}"},
            stream=True,
            timeout=30,
        )
        lines = stream.iter_lines(decode_unicode=True)
        assert stream.status_code == 200
        assert next(line for line in lines if line.startswith(":")) == ": connected"
        # and a request in flight: the application waits for its body ("100 Continue" says so)
        body = json.dumps({"email": "admin@alpha.test", "password": PASSWORD}).encode()
        in_flight = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        in_flight.sendall(
            b"POST /api/v1/auth/login/ HTTP/1.1\r\nHost: alpha.localhost\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n".encode()
        )
        assert in_flight.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        # when Kubernetes stops the pod
        stopped_at = time.monotonic()
        os.kill(server.pid, signal.SIGTERM)
        # then the stream tells the browser to reconnect (elsewhere) and ends
        rest = list(lines)
        assert "event: reconnect" in rest and "retry: 500" in rest
        # the request in flight is answered
        in_flight.sendall(body)
        status, answer = _read_response(in_flight)
        assert status == 200 and answer["access"]
        # and the process exits without waiting for its graceful timeout
        assert server.wait(timeout=GRACEFUL_TIMEOUT / 2) == 0
        assert time.monotonic() - stopped_at < GRACEFUL_TIMEOUT / 2
    finally:
        server.stop()
