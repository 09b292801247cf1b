"""Redis stopped while requests flow (issue 18, point 2): the API keeps answering from the
database, ``/readyz`` names Redis, an open notification stream ends instead of hanging, a new one
is refused with a clean 503 while Redis is down, and streams work again once it is back.

The production server (gunicorn, one uvicorn worker) runs the development settings (Redis cache,
Celery broker and notification pub/sub all on ``REDIS_URL``) against a ``redis-server`` of this
test only, which the test kills (SIGKILL) and starts again on the same port."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from django.db import connection
from pytest_django import DjangoDbBlocker

from tenant_apps.notifications import broker
from tests.conftest import PASSWORD
from tests.live import LiveServer, database_url, gunicorn_command
from tests.redis_server import PrivateRedis

HOST = "alpha.localhost"
STREAM = "/api/v1/notifications/stream/"


@pytest.fixture(scope="module")
def outage(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[tuple[LiveServer, PrivateRedis]]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    private = PrivateRedis()
    server = LiveServer(
        {
            "DJANGO_SETTINGS_MODULE": "tests.e2e.settings_redis",
            "DATABASE_URL": database_url(settings_dict),
            "REDIS_URL": private.url,
            "REDIS_RETRY_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        },
        gunicorn_command,
    )
    try:
        yield server.wait_ready(), private
    finally:
        server.stop()
        private.stop()


def _stream(server: LiveServer, token: str) -> requests.Response:
    return requests.get(
        f"{server.base_url}{STREAM}",
        headers={"Host": HOST, "Authorization": f"Bearer {token}"},
        stream=True,
        timeout=30,
    )


def _connected(response: requests.Response) -> Iterator[str]:
    lines = response.iter_lines(decode_unicode=True)
    assert next(line for line in lines if line.startswith(":")) == ": connected"
    return lines


def test_with_redis_down_the_api_answers_streams_end_cleanly_and_come_back(
    outage: tuple[LiveServer, PrivateRedis], session_tenants: dict[str, Any], db: None
) -> None:
    server, private = outage
    # given: a signed-in user with an open stream
    token = server.login(HOST, "admin@alpha.test", PASSWORD)
    user_id = server.request("GET", "/api/v1/auth/user/", host=HOST, token=token).json()["id"]
    before = _connected(_stream(server, token))
    # when Redis dies
    private.kill()
    # then the open stream ends (EventSource will reconnect) instead of hanging
    list(before)
    # the API answers from the database
    for path in ("/api/v1/tickets/", "/api/v1/site/", "/api/v1/auth/user/"):
        answer = server.request("GET", path, host=HOST, token=token)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    # a sign-in, whose throttle must count in Redis, is refused cleanly rather than let through uncounted
    sign_in = server.request(
        "POST", "/api/v1/auth/login/", host=HOST, json={"email": "admin@alpha.test", "password": PASSWORD}
    )
    assert sign_in.status_code == 503 and sign_in.json()["error"]["code"] == "service_unavailable"
    assert sign_in.headers["Retry-After"] == "1"
    ready = server.request("GET", "/readyz", host="localhost")
    assert ready.status_code == 503 and ready.json()["checks"]["redis"].startswith("error")
    # a new stream is refused cleanly
    refused = _stream(server, token)
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "stream_unavailable"
    # when Redis is back
    private.restart()
    deadline = time.monotonic() + 30
    while (again := _stream(server, token)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    # then streams work again: a notification published now reaches the user
    lines = _connected(again)
    payload = {"id": 424242, "verb": "ticket.replied", "target": None, "extra_data": {}, "read": False}
    deadline = time.monotonic() + 10
    while private.control.publish(broker.channel_name("alpha", user_id), json.dumps(payload)) == 0:
        assert time.monotonic() < deadline, "the new stream never subscribed"
        time.sleep(0.1)
    event = [line for line, _ in zip((line for line in lines if line), range(3), strict=False)]
    assert event == ["id: 424242", "event: notification", f"data: {json.dumps(payload, separators=(',', ':'))}"]
    assert server.request("GET", "/readyz", host="localhost").status_code == 200
