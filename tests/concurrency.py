"""Running code the way concurrent requests do: on other threads, each with its own connection.

A test's own connection sits inside a transaction that is rolled back at the end, which other
connections cannot see; races are therefore run on committed rows (set up and cleaned up through
``in_thread``) and driven by ``race``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.db import connections
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant

TIMEOUT = 120.0
PAUSE = 0.3


def after_read(*, locking: bool, parties: int = 2) -> Callable[[], None]:
    """Where a race test holds each racer after its read, before it writes.

    With the lock (``locking=True``) the racers queue behind it, so the holder just pauses
    ``PAUSE`` seconds and the others pile up against the lock. Without it (the negative control)
    each racer waits until all ``parties`` have read: a barrier, so the reads overlap on every
    run however slowly the threads are scheduled (a pause only makes that likely: a CI run once
    started the second racer more than ``PAUSE`` late and the control passed by luck).
    """
    if locking:
        return lambda: time.sleep(PAUSE)
    all_read = threading.Barrier(parties)

    def meet() -> None:
        all_read.wait(timeout=30)

    return meet


def in_thread(fn: Callable[[], Any], *, timeout: float = TIMEOUT) -> Any:
    """Run ``fn`` on a new thread (its own connection, autocommit: what it writes is committed) and
    return its result; an exception it raised is re-raised here."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # re-raised below
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "helper thread hung"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def race(fns: list[Callable[[], Any]], *, tenant: Tenant | None = None, timeout: float = TIMEOUT) -> list[Any]:
    """Start every ``fn`` on its own thread at the same moment (a barrier), in ``tenant``'s schema
    when one is given; returns their results or the exceptions they raised, in order."""
    barrier = threading.Barrier(len(fns))
    results: list[Any] = [None] * len(fns)

    def run(index: int) -> None:
        try:
            with tenant_context(tenant) if tenant is not None else nullcontext():
                barrier.wait(timeout=10)
                results[index] = fns[index]()
        except Exception as exc:  # recorded for the assertions
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results
