"""A TCP proxy a test can cut, to take a dependency away from a server process and bring it back.

``TcpProxy(upstream_host, upstream_port)`` listens on a free port of 127.0.0.1 and relays each
connection to the upstream. ``cut()`` does to the clients what a restarting PostgreSQL does:
every open connection is closed at once, and new ones are closed as soon as they arrive (the
client sees the server hang up), until ``restore()``. Written for the tests because the fault
must hit only the server under test, never the machine's shared PostgreSQL.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """A cuttable relay to ``upstream_host:upstream_port`` (see the module docstring); ``close()`` ends it."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._cut = threading.Event()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, name="tcp-proxy-accept", daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            self._drop(source)
            self._drop(target)

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """Close every relayed connection now and hang up on new ones until ``restore()``."""
        self._cut.set()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            self._drop(sock)

    def restore(self) -> None:
        """Relay new connections again."""
        self._cut.clear()

    def close(self) -> None:
        """Stop listening and close everything."""
        self._closed.set()
        self.cut()
        self._listener.close()
