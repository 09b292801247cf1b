"""Celery's Django fix-up, keeping each worker process's connection pool between tasks.

Celery's own fix-up (``celery.fixups.django``) closes Django's connections before and after every
task, which gives a pooled connection back to the pool: that is what we want. In a prefork worker
it also closes the whole pool at each of those points (celery#10554, still open), so every task
would open a new PostgreSQL session. This fix-up does what Celery's does, except:

* at task boundaries it closes the connections only (back to the pool, which stays open);
* the parent closes its pools before it forks the children (``install``), and a child forgets
  whatever pool it still inherited (``saas.db.backend.base._forget_pools_after_fork``), so no two
  processes ever share a pooled session;
* a child closes its pools when it shuts down (``worker_process_shutdown``), ending its sessions
  cleanly instead of dropping the sockets.

Installed by ``saas/celery.py`` (``CeleryApp(..., fixups=["saas.celery_fixup:fixup"])``).
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery, signals
from celery.fixups.django import DjangoFixup, DjangoWorkerFixup


class PoolKeepingWorkerFixup(DjangoWorkerFixup):
    """Celery's worker fix-up without closing the pool at every task boundary."""

    def install(self) -> PoolKeepingWorkerFixup:
        """Connect the task signals (Celery's) and close every pool before children are forked."""
        super().install()
        close_pools()
        signals.worker_process_shutdown.connect(_close_pools_on_shutdown, weak=False)
        return self

    def _close_database(self) -> None:
        """Give every connection of this thread back (to the pool, when there is one); the pool
        stays open. Errors of a connection that is already gone are ignored, as Celery does."""
        for conn in self._db.connections.all(initialized_only=True):
            try:
                conn.close()
            except self.interface_errors:
                pass
            except self.DatabaseError as exc:
                if "closed" not in str(exc) and "not connected" not in str(exc):
                    raise


class PoolKeepingDjangoFixup(DjangoFixup):
    """Celery's Django fix-up, with ``PoolKeepingWorkerFixup`` as its worker half."""

    _worker_fixup: DjangoWorkerFixup | None

    @property
    def worker_fixup(self) -> DjangoWorkerFixup:
        if self._worker_fixup is None:
            self._worker_fixup = PoolKeepingWorkerFixup(self.app)
        return self._worker_fixup

    @worker_fixup.setter
    def worker_fixup(self, value: DjangoWorkerFixup) -> None:
        self._worker_fixup = value


def close_pools() -> None:
    """Close this process's connection pools (their idle sessions end); the next connection opens a
    new pool."""
    from django.db import connections

    for conn in connections.all():
        close_pool = getattr(conn, "close_pool", None)
        if close_pool is not None:
            close_pool()


def _close_pools_on_shutdown(**_: Any) -> None:
    close_pools()


def fixup(app: Celery, env: str = "DJANGO_SETTINGS_MODULE") -> PoolKeepingDjangoFixup | None:
    """Celery ``fixups`` entry point: installed when Django settings are configured, like Celery's."""
    if os.environ.get(env):
        return PoolKeepingDjangoFixup(app).install()
    return None
