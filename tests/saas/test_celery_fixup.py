"""A Celery worker process keeps its connection pool between tasks, and never shares a pooled
session with the process it was forked from."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from celery.fixups.django import DjangoWorkerFixup
from django.db import connections

from saas.celery import app
from saas.celery_fixup import PoolKeepingWorkerFixup
from saas.db.tenant import tenant_connection

PREFORK = SimpleNamespace(pool_cls="celery.concurrency.prefork:TaskPool")
A_TASK = SimpleNamespace(request=SimpleNamespace(is_eager=False))


def _on_thread(fn: Callable[[], Any]) -> Any:
    """``fn()`` on a new thread (its own connection; the test's transaction stays untouched)."""
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
    thread.join(60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _task_end_with(fixup_class: type[DjangoWorkerFixup]) -> tuple[bool, bool]:
    """A connection used by a task on a prefork worker, then the task's end as ``fixup_class``
    handles it: (connection given back, pool still open)."""
    fixup = fixup_class(app)
    fixup.worker = PREFORK  # type: ignore[assignment]

    def task_then_end() -> tuple[bool, bool]:
        conn = tenant_connection()  # this thread's
        conn.ensure_connection()
        pool = conn.pool
        fixup.on_task_postrun(A_TASK)  # type: ignore[arg-type]
        return conn.connection is None, not pool.closed and conn.pool is pool

    return _on_thread(task_then_end)


def test_a_task_gives_its_connection_back_and_the_pool_stays_open(db: None) -> None:
    assert _task_end_with(PoolKeepingWorkerFixup) == (True, True)


def test_celerys_own_fixup_still_closes_the_whole_pool_after_each_prefork_task(db: None) -> None:
    """Why ``saas/celery_fixup.py`` exists (celery#10554). When this fails, Celery keeps pools
    between tasks itself and the fix-up can go."""
    assert _task_end_with(DjangoWorkerFixup) == (True, False)


def test_a_forked_child_never_uses_the_pools_of_its_parent(db: None) -> None:
    # given: this process has a pool with a session in it
    parent_pool = tenant_connection().pool
    assert parent_pool is not None
    _on_thread(lambda: connections["default"].ensure_connection())

    # when: a child is forked
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        try:
            from saas.db.backend.base import DatabaseWrapper

            forgotten = parent_pool not in DatabaseWrapper._connection_pools.values()
            os._exit(0 if forgotten else 1)
        except BaseException:
            os._exit(2)
    _, status = os.waitpid(pid, 0)

    # then: the child dropped it, and the parent's pool still works
    assert os.waitstatus_to_exitcode(status) == 0
    assert not parent_pool.closed
    assert _on_thread(_connects)


def _connects() -> bool:
    connections["default"].ensure_connection()
    return True
