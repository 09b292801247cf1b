"""PostgreSQL backend: django-tenants' schema switching over Django's psycopg connection pool.

django-tenants issues ``SET search_path`` on every new cursor unless ``TENANT_LIMIT_SET_CALLS``
is on; with it on, it remembers the path it set and skips the statement until ``set_tenant`` is
called again. Refinements here:

* ``set_tenant`` forgets the remembered path only when the path really changes, so several
  tenant switches to the same tenant within one checkout issue no ``SET`` at all.
* A ``SET`` is transactional in PostgreSQL: ``ROLLBACK`` or ``ROLLBACK TO SAVEPOINT`` undoes a
  ``SET`` issued after it began. Trusting the remembered path after such a rollback serves the
  previous tenant's rows (django-tenants issue 1262). The base class forgets the remembered path
  on ``rollback`` and ``savepoint_rollback`` (django-tenants >= 3.7); we rely on that and prove it
  in ``tests/shared_apps/tenancy/test_search_path.py`` rather than re-implementing it.
* **Pool** (``OPTIONS["pool"]``, settings ``DB_POOL_*``): a connection taken from the pool was last
  used by any tenant, so ``get_new_connection`` starts it with the remembered path cleared (the
  next query sets it), and the pool's ``reset`` callback (``reset_session``) runs ``RESET
  search_path`` and releases session advisory locks on every connection given back, so a pooled
  connection never carries a tenant's path, or a lock, while it waits.
  A forked child (Celery's prefork pool, the multiprocessing migration executor) forgets the pools
  it inherited instead of sharing their sockets with its parent (``_forget_pools_after_fork``).
* **Transaction pooling** (``DB_POOL_MODE=transaction``, PgBouncer ``pool_mode=transaction``):
  consecutive transactions of one client may run on different server sessions, so a session
  ``SET`` is worthless and would leak into other clients' transactions. No session ``SET`` is
  issued; instead every statement runs in a transaction that sets the path with ``SET LOCAL``
  (``_transaction_pooling_wrapper``): an autocommit statement is sent as
  ``BEGIN; SET LOCAL search_path = ...; <statement>; COMMIT`` in one round trip, and inside
  ``atomic`` the first statement of the transaction (and the first after a tenant switch or a
  savepoint rollback) is preceded by ``SET LOCAL``. Server-side cursors are off in that mode
  (``DISABLE_SERVER_SIDE_CURSORS``). Proven against a real PgBouncer in
  ``tests/shared_apps/tenancy/test_pgbouncer.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from typing import Any

import psycopg
from django.db import NotSupportedError
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper
from django_tenants.utils import quote_schema_name
from psycopg.pq import TransactionStatus


def reset_session(conn: psycopg.Connection[Any]) -> None:
    """The pool's ``reset`` callback, run on a pool worker thread for every connection given back
    (already rolled back to idle by the pool): the session drops what a request or a task may have
    left in it, as closing it used to. Its tenant's ``search_path`` is reset, its session-level
    advisory locks are released (``shared_apps.tenancy.templates.template_lock`` counts on the
    end of the connection to release its lock after a migration), and cursors kept open ``WITH
    HOLD`` (a server-side cursor of an unfinished ``iterator()``) are closed. A failure makes the pool discard
    the connection. Autocommit is restored first (a connection given back from inside ``atomic``
    may have it off), so the reset leaves no transaction open."""
    conn.autocommit = True
    conn.execute("RESET search_path; SELECT pg_advisory_unlock_all(); CLOSE ALL")


#: Pools a forked child inherited from its parent: kept referenced, never used or closed, because
#: their sockets are the parent's (closing one would end the parent's session).
_INHERITED_POOLS: list[Any] = []


class DatabaseWrapper(TenantDatabaseWrapper):
    """django-tenants' wrapper, pool-aware, keeping a still-valid ``search_path`` across ``set_tenant``."""

    search_path_set_schemas: list[str] | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: The path ``SET LOCAL`` put in force in the current server transaction (transaction mode).
        self._local_search_path: list[str] | None = None
        super().__init__(*args, **kwargs)
        if self._transaction_pooling:
            self.execute_wrappers.append(_transaction_pooling_wrapper)

    @property
    def _transaction_pooling(self) -> bool:
        """Whether this alias reaches PostgreSQL through transaction pooling (``POOL_MODE`` of
        its ``DATABASES`` entry, from ``DB_POOL_MODE``; ``"session"`` when absent)."""
        return self.settings_dict.get("POOL_MODE", "session") == "transaction"

    @property
    def pool(self) -> Any:
        """Django's pool for this alias (``None`` without ``OPTIONS["pool"]``), created with
        ``reset_session`` as its ``reset`` callback in session mode."""
        options = self.settings_dict["OPTIONS"].get("pool")
        if options and not self._transaction_pooling and not (isinstance(options, dict) and "reset" in options):
            self.settings_dict["OPTIONS"]["pool"] = {**({} if options is True else options), "reset": reset_session}
        return super().pool

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        """A new connection, or one from the pool (waiting up to the pool's ``timeout``; then
        ``psycopg_pool.PoolTimeout`` is raised, which ``ensure_connection`` wraps in Django's
        ``OperationalError``). Its session search_path is unknown: nothing is remembered."""
        connection = super().get_new_connection(conn_params)
        self.search_path_set_schemas = None
        self._local_search_path = None
        return connection

    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        """Select ``tenant``'s schema for the following queries (no query is run here)."""
        remembered = self.search_path_set_schemas
        super().set_tenant(tenant, include_public)
        if remembered is not None and remembered == self._get_cursor_search_paths():
            self.search_path_set_schemas = remembered

    def _handle_search_path(self, cursor: Any = None) -> None:
        """Session mode: django-tenants' ``SET search_path`` when the path is not set yet.
        Transaction mode: nothing; every statement carries ``SET LOCAL`` instead."""
        if self._transaction_pooling:
            return
        super()._handle_search_path(cursor)

    def savepoint_rollback(self, sid: str) -> None:
        """``ROLLBACK TO SAVEPOINT`` also undoes a ``SET LOCAL`` issued after the savepoint."""
        try:
            super().savepoint_rollback(sid)
        finally:
            self._local_search_path = None

    def search_path_sql(self, *, local: bool) -> str:
        """``SET [LOCAL] search_path = ...`` for the selected tenant (schema names are validated
        by django-tenants; raises ``ImproperlyConfigured`` when no schema is selected)."""
        if not self.schema_name:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured("Database schema not set. Did you forget to call set_tenant()?")
        paths = ",".join(quote_schema_name(s) for s in self._get_cursor_search_paths())
        return f"SET {'LOCAL ' if local else ''}search_path = {paths}"


#: Session-level advisory locks: under transaction pooling the lock would stay on whichever server
#: session ran the statement, held for another client, and the unlock would run elsewhere.
_SESSION_ADVISORY_LOCK = re.compile(r"\bpg_(?:try_)?advisory_(?:un)?lock(?:_shared|_all)?\s*\(", re.IGNORECASE)


def _transaction_pooling_wrapper(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Django execute wrapper (``DB_POOL_MODE=transaction``): run ``sql`` in a server transaction
    whose ``search_path`` is the selected tenant's, set with ``SET LOCAL`` in the same round trip.

    Raises whatever the statement raises; an autocommit statement that failed is rolled back
    first, so the session is idle again (and PgBouncer can hand it to another client). Raises
    ``NotSupportedError`` for a session-level advisory lock, which transaction pooling cannot keep.
    """
    if _SESSION_ADVISORY_LOCK.search(sql):
        raise NotSupportedError(
            "Session-level advisory locks do not work with DB_POOL_MODE=transaction: use "
            "pg_advisory_xact_lock, or a session-mode connection (docs/operations.md)."
        )
    wrapper: DatabaseWrapper = context["connection"]
    raw = wrapper.connection
    raw_cursor = context["cursor"].cursor
    wanted = wrapper._get_cursor_search_paths()
    set_local = wrapper.search_path_sql(local=True)
    if params is not None:
        set_local = set_local.replace("%", "%%")  # client-side binding interpolates the whole string

    if raw.autocommit:
        # One statement, one transaction: BEGIN, the path, the statement and COMMIT.
        if many:
            with wrapper.wrap_database_errors:
                raw.execute(f"BEGIN; {wrapper.search_path_sql(local=True)}")
            try:
                result = execute(sql, params, many, context)
                with wrapper.wrap_database_errors:
                    raw.execute("COMMIT")
            except BaseException:
                _rollback_quietly(raw)
                raise
            return result
        try:
            result = execute(f"BEGIN; {set_local}; {sql}\n; COMMIT", params, many, context)
        except BaseException:
            _rollback_quietly(raw)
            raise
        raw_cursor.nextset()  # BEGIN
        raw_cursor.nextset()  # SET LOCAL: the cursor now shows the statement's own result
        return result

    # Inside atomic: psycopg opens the transaction before the first statement.
    fresh = raw.info.transaction_status == TransactionStatus.IDLE
    if not fresh and wrapper._local_search_path == wanted:
        return execute(sql, params, many, context)
    if many:
        with wrapper.wrap_database_errors:
            raw.execute(wrapper.search_path_sql(local=True))
        result = execute(sql, params, many, context)
    else:
        result = execute(f"{set_local}; {sql}", params, many, context)
        raw_cursor.nextset()
    wrapper._local_search_path = wanted
    return result


def _rollback_quietly(raw: psycopg.Connection[Any]) -> None:
    """Roll back an explicit transaction of an autocommit connection after a failure; a connection
    that is already broken is left to the pool's checks."""
    if raw.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
        with contextlib.suppress(psycopg.Error):
            raw.execute("ROLLBACK")


def _forget_pools_after_fork() -> None:
    """In a forked child: drop the pools inherited from the parent without touching their
    connections, so the child opens its own (``os.register_at_fork``)."""
    pools: dict[str, Any] = DatabaseWrapper._connection_pools
    _INHERITED_POOLS.extend(pools.values())
    pools.clear()


os.register_at_fork(after_in_child=_forget_pools_after_fork)

__all__ = ["DatabaseWrapper", "reset_session"]
