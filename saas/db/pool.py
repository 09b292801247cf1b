"""The per-process database connection pool, as the rest of the code sees it.

Each process (a gunicorn/uvicorn worker, a Celery worker child) has one psycopg pool of at most
``DB_POOL_MAX_SIZE`` connections (settings ``DB_POOL_*``, ``saas/db/backend/base.py``). A request
that finds every connection taken waits ``DB_POOL_TIMEOUT`` seconds; then psycopg-pool raises
``PoolTimeout``, which Django wraps in its ``OperationalError``. The API answers that with
``busy_error()``: 503 in the one error shape, with ``Retry-After``.
"""

from __future__ import annotations

from psycopg_pool import PoolTimeout, TooManyRequests

from saas.errors import ServiceUnavailable

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
