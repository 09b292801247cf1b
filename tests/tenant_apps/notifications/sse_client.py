"""A small in-process ASGI client for the notification stream, on asgiref's ``ApplicationCommunicator``.

It drives the project's real ASGI application (``saas.asgi.application``: the whole middleware
stack, URL routing per tenant, the async view, Django's disconnect handling) without a server.

Two adaptations let the app see the test's rolled-back transaction, the same ones Django's own
``AsyncClient`` makes:

* no ``ThreadSensitiveContext`` per request: the app's sync code (middleware, authentication,
  ORM) runs in the test thread, on the test's database connection, instead of a fresh thread
  with its own connection that would not see uncommitted rows;
* ``close_old_connections`` is detached from ``request_started``/``request_finished``: it would
  close the connection holding the test's transaction.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from asgiref.testing import ApplicationCommunicator

from tests.conftest import keep_test_connection

STREAM_PATH = "/api/v1/notifications/stream/"
TIMEOUT = 5.0


class _NoThreadSensitiveContext:
    async def __aenter__(self) -> _NoThreadSensitiveContext:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


@contextmanager
def sync_code_in_test_thread() -> Iterator[None]:
    """While active, ASGI requests run their sync parts in the test thread (see module docstring)."""
    with (
        mock.patch("django.core.handlers.asgi.ThreadSensitiveContext", _NoThreadSensitiveContext),
        keep_test_connection(),
    ):
        yield


@dataclass
class SSEBlock:
    """One block of an event stream (lines up to a blank line), parsed."""

    raw: str
    fields: dict[str, str] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.fields.get("id")

    @property
    def event(self) -> str | None:
        return self.fields.get("event")

    @property
    def data(self) -> Any:
        return json.loads(self.fields["data"]) if "data" in self.fields else None

    @property
    def is_event(self) -> bool:
        return "data" in self.fields

    @classmethod
    def parse(cls, raw: str) -> SSEBlock:
        block = cls(raw=raw)
        for line in raw.split("\n"):
            if line.startswith(":"):
                block.comments.append(line[1:].strip())
            elif line:
                name, _, value = line.partition(":")
                block.fields[name] = value.removeprefix(" ")
        return block


class StreamResponse:
    """An open response: status and headers, then its body read block by block."""

    def __init__(self, communicator: ApplicationCommunicator) -> None:
        self.communicator = communicator
        self.status = 0
        self.headers: dict[str, str] = {}
        self.ended = False
        self._buffer = b""

    async def start(self) -> None:
        await self.communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        message = await self.communicator.receive_output(TIMEOUT)
        assert message["type"] == "http.response.start", message
        self.status = message["status"]
        self.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}

    async def _read_chunk(self, timeout: float) -> None:
        message = await self.communicator.receive_output(timeout)
        assert message["type"] == "http.response.body", message
        self._buffer += message.get("body", b"")
        if not message.get("more_body", False):
            self.ended = True

    async def body(self, timeout: float = TIMEOUT) -> bytes:
        """The whole body (for responses that end)."""
        while not self.ended:
            await self._read_chunk(timeout)
        body, self._buffer = self._buffer, b""
        return body

    def json(self) -> Any:
        return json.loads(self._buffer or b"null")

    async def next_block(self, timeout: float = TIMEOUT) -> SSEBlock:
        """The next block; raises ``TimeoutError`` if none comes, ``EOFError`` if the stream ended."""
        async with asyncio.timeout(timeout):
            while b"\n\n" not in self._buffer:
                if self.ended:
                    raise EOFError(f"the stream ended; left over: {self._buffer!r}")
                await self._read_chunk(timeout)
        raw, self._buffer = self._buffer.split(b"\n\n", 1)
        return SSEBlock.parse(raw.decode())

    async def next_event(self, timeout: float = TIMEOUT) -> SSEBlock:
        """The next block carrying data (comments and keep-alives skipped)."""
        async with asyncio.timeout(timeout):
            while not (block := await self.next_block(timeout)).is_event:
                pass
        return block

    async def connected(self) -> SSEBlock:
        """Wait for the stream's first block: the subscription is live once it arrives."""
        block = await self.next_block()
        assert "connected" in block.comments, block.raw
        return block

    async def nothing_within(self, seconds: float) -> bool:
        """True when no data event arrives within ``seconds``."""
        try:
            await self.next_event(timeout=seconds)
        except TimeoutError:
            return True
        return False

    async def disconnect(self) -> None:
        """The client goes away; waits for the application to finish (raises what it raised)."""
        await self.communicator.send_input({"type": "http.disconnect"})
        await self.communicator.wait(TIMEOUT)


def scope_for(
    host: str,
    path: str = STREAM_PATH,
    *,
    token: str | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> dict[str, Any]:
    raw_headers = [(b"host", host.encode())]
    if token:
        raw_headers.append((b"authorization", f"Bearer {token}".encode()))
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(query or {}).encode(),
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": (host, 80),
    }


@asynccontextmanager
async def open_stream(host: str, path: str = STREAM_PATH, **scope_options: Any) -> AsyncIterator[StreamResponse]:
    """``async with open_stream("alpha.localhost", token=...) as response``: request, status, headers.

    On exit the client disconnects if the response has not ended, and the application must
    finish: a stream that does not stop on disconnect fails the test.
    """
    from saas.asgi import application

    communicator = ApplicationCommunicator(application, scope_for(host, path, **scope_options))
    response = StreamResponse(communicator)
    await response.start()
    try:
        yield response
    finally:
        if response.ended:
            await communicator.wait(TIMEOUT)
        else:
            await response.disconnect()
