"""Behind PgBouncer in transaction pooling mode (``DB_POOL_MODE=transaction``), every query sees
its own tenant's schema.

A real PgBouncer (Debian package ``pgbouncer``; ``.ci/run`` installs it) is started on a free port
with ``pool_mode=transaction`` and fewer server connections than clients, in front of the test
database. Client threads alternating two tenants go through a Django alias pointing at it, in
autocommit, inside ``atomic`` blocks (with savepoint rollbacks) and switching tenants inside a
transaction. With the backend's session ``SET search_path`` instead (``POOL_MODE`` ``session``),
the same clients read the other tenant's rows.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from saas.db.backend.base import DatabaseWrapper
from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User

pytestmark = pytest.mark.pgbouncer

ALIAS = "pgbouncer"
SERVER_CONNECTIONS = 2
CLIENT_POOL = 6
CLIENTS = 10
ROUNDS = 15


def _pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or next(
        (p for p in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if os.access(p, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def pgbouncer() -> Iterator[int]:
    """A PgBouncer in transaction mode in front of the test server; yields its port."""
    binary = _pgbouncer_binary()
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)")
    settings_dict = connection.settings_dict
    folder = Path(tempfile.mkdtemp(prefix="saas-pgbouncer-"))
    port = _free_port()
    user = settings_dict["USER"] or "postgres"
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={settings_dict['HOST'] or '127.0.0.1'} port={settings_dict['PORT'] or 5432}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {folder / 'users.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {SERVER_CONNECTIONS}",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 200",
                "server_reset_query =",
                f"logfile = {folder / 'pgbouncer.log'}",
                f"pidfile = {folder / 'pgbouncer.pid'}",
                "",
            ]
        )
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root: it runs as an unprivileged user
        runner = pwd.getpwnam("postgres" if _user_exists("postgres") else "nobody")
        os.chown(folder, runner.pw_uid, runner.pw_gid)
        command[1:1] = ["-u", runner.pw_name]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {process.stderr.read().decode() if process.stderr else ''}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("pgbouncer did not start listening")


#: The ``DATABASES`` entry of the alias that goes through PgBouncer, while a test uses it.
_through: dict[str, Any] = {}


@pytest.fixture
def through_pgbouncer(pgbouncer: int) -> Iterator[Callable[[str], None]]:
    """``use(mode)``: the alias ``pgbouncer`` reaches the test database through PgBouncer, with the
    backend in ``mode`` (``"transaction"`` or ``"session"``) and a Django pool of ``CLIENT_POOL``.

    The alias is not in ``DATABASES``: each thread gets its connection from ``_connection()``, which
    Django's test case allows as a dynamically created connection."""

    def use(mode: str) -> None:
        _drop_alias()
        _through.update(
            {
                **connection.settings_dict,
                "HOST": "127.0.0.1",
                "PORT": str(pgbouncer),
                "POOL_MODE": mode,
                "DISABLE_SERVER_SIDE_CURSORS": True,
                "OPTIONS": {"pool": {"min_size": 0, "max_size": CLIENT_POOL, "timeout": 30.0}},
            }
        )

    try:
        yield use
    finally:
        _drop_alias()


def _connection() -> Any:
    """This thread's connection of the alias (created on first use)."""
    local = connections._connections  # type: ignore[attr-defined]
    if not hasattr(local, ALIAS):
        setattr(local, ALIAS, DatabaseWrapper(dict(_through), ALIAS))
    return connections[ALIAS]


def _drop_alias() -> None:
    local = connections._connections  # type: ignore[attr-defined]
    if hasattr(local, ALIAS):
        getattr(local, ALIAS).close()
        delattr(local, ALIAS)
    pool = DatabaseWrapper._connection_pools.pop(ALIAS, None)
    if pool is not None:
        pool.close()
    _through.clear()


def _admins() -> list[str]:
    return list(User.objects.using(ALIAS).order_by("id").values_list("email", flat=True)[:3])


def _client_rounds(tenants: tuple[Any, Any], index: int, seen: list[tuple[str, str]], lock: threading.Lock) -> None:
    """One client: ``ROUNDS`` requests alternating the two tenants, each in another style."""
    conn = _connection()

    def record(tenant: Any, emails: list[str]) -> None:
        with lock:
            seen.extend((tenant.schema_name, email) for email in emails)

    for n in range(ROUNDS):
        tenant, other = tenants[(index + n) % 2], tenants[(index + n + 1) % 2]
        conn.set_tenant(tenant)
        style = n % 3
        if style == 0:  # autocommit: every query its own transaction
            record(tenant, _admins())
            record(tenant, _admins())
        elif style == 1:  # a transaction with a savepoint rolled back in the middle
            with transaction.atomic(using=ALIAS):
                record(tenant, _admins())
                try:
                    with transaction.atomic(using=ALIAS):
                        conn.set_tenant(other)
                        record(other, _admins())
                        raise _Rollback
                except _Rollback:
                    pass
                conn.set_tenant(tenant)
                record(tenant, _admins())
        else:  # switching tenants inside one transaction
            with transaction.atomic(using=ALIAS):
                record(tenant, _admins())
                conn.set_tenant(other)
                record(other, _admins())
            conn.set_tenant(tenant)
        conn.close()  # the end of a request: back to the Django pool


class _Rollback(Exception):
    pass


def _run_clients(alpha: Any, beta: Any) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS)

    def run(index: int) -> None:
        try:
            start.wait(timeout=30)
            _client_rounds((alpha, beta), index, seen, lock)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            _connection().close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not any(thread.is_alive() for thread in threads), "a client thread hung"
    if errors:
        raise errors[0]
    return seen


def _foreign(seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(schema, email) for schema, email in seen if not email.endswith(f"@{schema}.test")]


def test_clients_alternating_tenants_through_transaction_pooling_see_only_their_own_rows(
    alpha: Tenant, beta: Tenant, through_pgbouncer: Callable[[str], None]
) -> None:
    # given: more clients than Django's pool, and a Django pool larger than PgBouncer's servers
    assert CLIENTS > CLIENT_POOL > SERVER_CONNECTIONS
    through_pgbouncer("transaction")

    # when
    seen = _run_clients(alpha, beta)

    # then
    assert {schema for schema, _ in seen} == {"alpha", "beta"}
    assert len(seen) > CLIENTS * ROUNDS
    assert _foreign(seen) == []


def test_transaction_mode_leaves_no_search_path_on_the_server_sessions(
    alpha: Tenant, through_pgbouncer: Callable[[str], None]
) -> None:
    # given
    through_pgbouncer("transaction")
    conn = _connection()
    conn.set_tenant(alpha)

    # when: tenant queries ran, in autocommit and in a transaction
    _admins()
    with transaction.atomic(using=ALIAS):
        _admins()

    # then: a server session, asked below Django, still has the default path: only SET LOCAL was used
    with conn.connection.cursor() as raw:
        raw.execute("SELECT current_setting('search_path')")
        assert "alpha" not in raw.fetchone()[0]
    conn.close()


def test_a_failed_autocommit_query_leaves_the_session_idle(
    alpha: Tenant, through_pgbouncer: Callable[[str], None]
) -> None:
    from django.db import ProgrammingError
    from psycopg.pq import TransactionStatus

    # given
    through_pgbouncer("transaction")
    conn = _connection()
    conn.set_tenant(alpha)

    # when
    with pytest.raises(ProgrammingError), conn.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")

    # then: rolled back, so PgBouncer can hand the server session on, and the next query works
    assert conn.connection.info.transaction_status == TransactionStatus.IDLE
    assert _admins() == ["admin@alpha.test"]
    conn.close()


def test_migrations_style_multi_row_statements_work_in_transaction_mode(
    alpha: Tenant, through_pgbouncer: Callable[[str], None]
) -> None:
    # given
    through_pgbouncer("transaction")
    conn = _connection()
    conn.set_tenant(alpha)

    # when: executemany in autocommit and in a transaction
    with conn.cursor() as cursor:
        cursor.executemany("SELECT %s::int", [(1,), (2,)])
    with transaction.atomic(using=ALIAS), conn.cursor() as cursor:
        cursor.executemany("SELECT %s::int", [(1,), (2,)])
        cursor.execute("SELECT current_setting('search_path')")
        path = cursor.fetchone()[0]

    # then
    assert path == "alpha, public"
    conn.close()


def test_session_advisory_locks_are_refused_in_transaction_mode(
    alpha: Tenant, through_pgbouncer: Callable[[str], None]
) -> None:
    from django.db import NotSupportedError

    # given
    through_pgbouncer("transaction")
    conn = _connection()
    conn.set_tenant(alpha)

    # when / then: a session lock would stay behind on some server session
    with pytest.raises(NotSupportedError, match="advisory"), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", ["x"])
    # a transaction-level one is fine
    with transaction.atomic(using=ALIAS), conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["x"])
    conn.close()
