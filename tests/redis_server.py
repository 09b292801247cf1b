"""A private ``redis-server`` for tests that count what reaches Redis (connections, commands).

The machine's Redis is shared by other test runs, so its counters say nothing about ours; a
server of our own on a free port does. Tests that need it skip when ``redis-server`` is not
installed.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest
import redis

#: A URL nothing listens on: connections are refused at once.
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


class PrivateRedis:
    """``redis-server`` on a free port, without persistence; ``stop()`` ends it."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="test-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )
        self.control = redis.Redis(port=self.port, socket_timeout=2)
        self._own_commands = 0  # commands this class sent, left out of the counts
        for _ in range(200):
            try:
                self.control.ping()
                self._own_commands = 1
                return
            except redis.ConnectionError:
                time.sleep(0.025)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def _stats(self) -> dict[str, int]:
        stats = self.control.info("stats")
        self._own_commands += 1
        return stats  # type: ignore[no-any-return]

    def clients(self) -> int:
        """Connections open now, ours for the counting excluded."""
        found = len(self.control.client_list()) - 1
        self._own_commands += 1
        return found

    def connections_received(self) -> int:
        """Connections accepted since the start, ours for the counting excluded."""
        return int(self._stats()["total_connections_received"]) - 1

    def commands(self) -> int:
        """Commands processed since the start, those sent by this class excluded."""
        own = self._own_commands  # the INFO below is not counted in its own answer
        return int(self._stats()["total_commands_processed"]) - own

    def kill(self) -> None:
        """Stop the server abruptly (SIGKILL), keeping its port and folder for ``restart()``."""
        self.control.close()
        self.process.kill()
        self.process.wait(10)

    def restart(self) -> None:
        """Start a server again on the same port (empty: nothing was persisted)."""
        self._start()

    def stop(self) -> None:
        """End the server and remove its folder."""
        self.control.close()
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A fresh ``PrivateRedis`` for one test."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    try:
        yield server
    finally:
        server.stop()
