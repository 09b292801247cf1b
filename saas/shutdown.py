"""Draining on SIGTERM: long-lived responses end at once instead of holding the pod until it is killed.

When Kubernetes stops a web pod it sends SIGTERM; gunicorn's uvicorn workers then stop accepting
connections and wait up to ``--graceful-timeout`` for the open ones. A request finishes in
milliseconds, but a notification stream (Server-Sent Events, ``tenant_apps/notifications/stream.py``)
never does by itself: without this, every open stream held its worker until the timeout cut it.

``drain_signal()`` gives an async view an ``asyncio.Event`` that is set when the process receives
SIGTERM or SIGINT; the stream then tells the browser to reconnect (to another pod, through the
load balancer) and ends, so the worker exits as soon as its ordinary requests are done.

The process's existing handler (uvicorn's ``Server.handle_exit``, which starts the server's own
graceful shutdown) is kept: ours is chained in front of it, installed the first time a stream
starts, from the event loop's (main) thread; signal handlers can only be set there. Written by
hand because neither uvicorn nor Django exposes a "shutting down" hook to the application when
the ASGI lifespan protocol is off (Django does not implement it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable
from types import FrameType
from typing import Any

_draining = threading.Event()
_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
_lock = threading.Lock()
_installed: set[int] = set()
DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def draining() -> bool:
    """Whether this process has been asked to stop (SIGTERM or SIGINT received)."""
    return _draining.is_set()


def begin_drain() -> None:
    """Mark the process as stopping and wake every ``drain_signal`` waiter (any thread)."""
    _draining.set()
    with _lock:
        waiters = list(_waiters)
    for loop, event in waiters:
        with contextlib.suppress(RuntimeError):  # a loop already closed
            loop.call_soon_threadsafe(event.set)


def _chained(previous: Any) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        begin_drain()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:  # nobody else handles it: do what the default would
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

    return handler


def install_drain_handlers() -> None:
    """Chain the drain in front of the current SIGTERM/SIGINT handlers, once per installed handler
    (uvicorn installs its own when its server starts). Does nothing outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in DRAIN_SIGNALS:
        current = signal.getsignal(sig)
        if id(current) in _installed:
            continue
        handler = _chained(current)
        _installed.add(id(handler))
        signal.signal(sig, handler)


@contextlib.asynccontextmanager
async def drain_signal() -> AsyncIterator[asyncio.Event]:
    """An ``asyncio.Event`` of the running loop, set when the process starts draining (already set
    if it has)."""
    install_drain_handlers()
    event = asyncio.Event()
    entry = (asyncio.get_running_loop(), event)
    with _lock:
        _waiters.add(entry)
    if _draining.is_set():
        event.set()
    try:
        yield event
    finally:
        with _lock:
            _waiters.discard(entry)
