"""The per-process database connection pool, as the rest of the code sees it.

Each process (a gunicorn/uvicorn worker, a Celery worker child) has one psycopg pool of at most
``DB_POOL_MAX_SIZE`` connections (settings ``DB_POOL_*``, ``saas/db/backend/base.py``). A request
that finds every connection taken waits ``DB_POOL_TIMEOUT`` seconds; then psycopg-pool raises
``PoolTimeout``, which Django wraps in its ``OperationalError``. The API answers that with
``busy_error()``: 503 in the one error shape, with ``Retry-After``.

A connection that breaks while a request uses it (PostgreSQL restarted or failed over, the
network cut) raises psycopg's ``OperationalError`` with no SQLSTATE or a connection one; the
API answers that with ``database_unavailable_error()``: 503 ``database_unavailable`` with
``Retry-After``, not a 500. Its transaction was never committed, so nothing of it was written;
the broken connection is discarded, and the pool opens new ones once the server answers.
"""

from __future__ import annotations

import psycopg
from django.db import InterfaceError as DjangoInterfaceError
from psycopg_pool import PoolTimeout, TooManyRequests

from saas.errors import ErrorCode, ServiceUnavailable

#: SQLSTATEs of a lost server: class 08 (connection exception), and the server shutting down
#: (57P01 admin_shutdown, 57P02 crash_shutdown) or not accepting yet (57P03 cannot_connect_now).
#: Source: PostgreSQL's Appendix A, "PostgreSQL Error Codes".
_LOST_SQLSTATES = ("57P01", "57P02", "57P03")

#: Seconds a client is told to wait (``Retry-After``) after the pool had no connection for it.
RETRY_AFTER_SECONDS = 1


def is_pool_exhausted(exc: BaseException | None) -> bool:
    """True when ``exc`` is, or was caused by, the pool giving up waiting for a free connection
    (``PoolTimeout``, or ``TooManyRequests`` when the pool's waiting queue is capped)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (PoolTimeout, TooManyRequests)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def busy_error() -> ServiceUnavailable:
    """The error a request gets when no database connection freed up in time (503, ``server_error``,
    ``details.retry_after`` in seconds, which becomes the ``Retry-After`` header)."""
    return ServiceUnavailable("The server is busy. Try again shortly.", details={"retry_after": RETRY_AFTER_SECONDS})


def is_connection_lost(exc: BaseException | None) -> bool:
    """True when ``exc`` is, or was caused by, the database connection breaking (see the module
    docstring): psycopg's ``OperationalError`` without SQLSTATE (the client saw the socket close)
    or with a connection SQLSTATE, or an ``InterfaceError`` on a closed connection. A query
    cancelled or a lock not available is not (they have their own SQLSTATEs)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (PoolTimeout, TooManyRequests)):
            return False
        if isinstance(exc, psycopg.OperationalError):
            state = exc.sqlstate
            if state is None or state.startswith("08") or state in _LOST_SQLSTATES:
                return True
        if isinstance(exc, (psycopg.InterfaceError, DjangoInterfaceError)):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def database_unavailable_error() -> ServiceUnavailable:
    """The error a request gets when its database connection broke (503 ``database_unavailable``,
    ``details.retry_after`` in seconds, which becomes the ``Retry-After`` header)."""
    return ServiceUnavailable(
        "The database is unavailable. Try again shortly.",
        code=ErrorCode.DATABASE_UNAVAILABLE,
        details={"retry_after": RETRY_AFTER_SECONDS},
    )
