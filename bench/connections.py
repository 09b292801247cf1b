"""Database sessions under load: the production server command, many concurrent requests, and a
count of PostgreSQL sessions during and after.

    .venv/bin/python bench/connections.py [--requests 2000] [--concurrency 200] [--workers 2]
                                          [--pool-max 10] [--pool-timeout 10] [--no-pool]
                                          [--max-sessions 60]
                                          [--pgbouncer [--pgbouncer-servers 4] [--pool-mode transaction]]

What it does, against its own database (``saas_bench_conn`` on the ``DATABASE_URL`` server, the
embedded PostgreSQL when that is unset) and Redis database (``BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/14``):

1. migrates it and provisions two school sites, ``alpha`` and ``beta`` (kept between runs);
2. starts gunicorn with uvicorn workers on the production settings profile, as the image runs it,
   with the pool settings given (``--no-pool``: no pool, ``DB_CONN_MAX_AGE=60``, the configuration
   before the pool);
3. signs in each site's admin, then sends ``--requests`` authenticated ``GET /api/v1/auth/user/``
   requests, ``--concurrency`` at a time over keep-alive connections, alternating the two sites,
   and checks that each answer names the asking site's own admin;
4. samples ``pg_stat_activity`` for the database every 50 ms during the load, and once more two
   seconds after it;
5. prints a Markdown table row per run (and writes ``bench/results/connections.json``); the
   server's log is in ``saas-bench-connections-server.log`` in the temporary folder.

With ``--pgbouncer`` a PgBouncer in transaction mode (``--pgbouncer-servers`` server sessions)
stands between the server and PostgreSQL, and the server runs with ``DB_POOL_MODE=--pool-mode``
(``transaction``, the supported way; ``session`` shows what goes wrong without it); the sessions
counted are then PgBouncer's server sessions.

The server is shared with other work: as soon as the database holds more than ``--max-sessions``
sessions the run stops sending (and says so), rather than exhausting ``max_connections``.
Requests, time and sessions are bounded; everything goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_NAME = "saas_bench_conn"
PASSWORD = "bench-pass-1234"
SITES = ("alpha", "beta")
SERVER_LOG = Path(tempfile.gettempdir()) / "saas-bench-connections-server.log"
#: Hard limits of one run, whatever the arguments say.
MAX_REQUESTS = 20_000
MAX_SECONDS = 300.0


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The server's environment: production settings on the bench database and Redis database."""
    url = os.environ.get("DATABASE_URL", "")
    env = dict(os.environ)
    if url:
        base = url.rpartition("/")[0]
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE_NAME}")
        env["DATABASE_URL"] = f"{base}/{DATABASE_NAME}"
    else:  # the embedded server (as `make run` starts it), addressed by its socket directory
        from saas.settings.embedded_db import embedded_database_settings

        db = embedded_database_settings(ROOT / ".pgdata", DATABASE_NAME)
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{str(db['HOST']).replace('/', '%2F')}:{db['PORT']}/{DATABASE_NAME}"
        )
    env.update(
        DJANGO_SETTINGS_MODULE="saas.settings.production",
        DJANGO_SECRET_KEY="bench-only-0123456789abcdefghijklmnopqrstuvwxyz0123",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        PLATFORM_DOMAIN="localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SENTRY_DSN="",
        LOG_LEVEL="WARNING",
        AUTH_THROTTLE_RATES="login_address=1000000/h,login_ip=1000000/h",
    )
    if args.no_pool:
        env.update(DB_POOL_MAX_SIZE="0", DB_CONN_MAX_AGE="60")
    else:
        env.update(
            DB_POOL_MAX_SIZE=str(args.pool_max),
            DB_POOL_MIN_SIZE=str(min(2, args.pool_max)),
            DB_POOL_TIMEOUT=str(args.pool_timeout),
            DB_CONN_MAX_AGE="0",
        )
    return env


def _provision(env: dict[str, str]) -> None:
    """Migrate and provision the two sites with an admin each (idempotent), in a child process so
    that this process holds no connection."""
    code = f"""
import django, logging
django.setup()
logging.disable(logging.WARNING)
from django.core.management import call_command
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.services import tenant_provision
call_command("migrate_schemas", verbosity=0)
for slug in {SITES!r}:
    if not Tenant.objects.filter(schema_name=slug).exists():
        tenant_provision(kind="school", slug=slug, name=slug.title(), owner_email=f"admin@{{slug}}.test",
                         owner_password={PASSWORD!r})
"""
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DB_POOL_MAX_SIZE": "0"}, check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """gunicorn with uvicorn workers, as in the Dockerfile and k8s/base/web.yaml."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "saas.asgi:application",
        "--worker-class=uvicorn_worker.UvicornWorker",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=60",
        "--graceful-timeout=5",
        "--keep-alive=75",
    ]
    # The server's log goes to a file: a pipe nobody reads would fill up and block the server.
    log = SERVER_LOG.open("wb")
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited: {SERVER_LOG.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    _stop_server(server)
    raise RuntimeError("the server did not answer /healthz")


def _start_pgbouncer(database_url: str, servers: int) -> tuple[subprocess.Popen[bytes], int]:
    """PgBouncer (Debian package ``pgbouncer``) in transaction mode in front of the database's
    server, ``servers`` server sessions per database; returns the process and its port."""
    import pwd
    import shutil
    from urllib.parse import urlsplit

    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    target = urlsplit(database_url)
    folder = Path(tempfile.mkdtemp(prefix="saas-bench-pgbouncer-"))
    port = _free_port()
    user = target.username or "postgres"
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={target.hostname or "127.0.0.1"} port={target.port or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {servers}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
server_reset_query =
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
"""
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        runner = pwd.getpwnam("postgres")
        os.chown(folder, runner.pw_uid, runner.pw_gid)
        command[1:1] = ["-u", runner.pw_name]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"pgbouncer did not start; see {folder / 'pgbouncer.log'}")


def _stop_pgbouncer(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


def _stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn and its workers (the whole process group, so no worker outlives a stuck master)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


def _login(port: int, site: str) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/auth/login/",
        data=json.dumps({"email": f"admin@{site}.test", "password": PASSWORD}).encode(),
        headers={"Host": f"{site}.localhost", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["access"])


class SessionSampler(threading.Thread):
    """Counts the bench database's PostgreSQL sessions (its own excluded) every 50 ms."""

    def __init__(self, database_url: str, limit: int) -> None:
        super().__init__(daemon=True)
        self.url = database_url
        self.limit = limit
        self.samples: list[int] = []
        self.over_limit = threading.Event()
        self.stop = threading.Event()
        self.error = ""

    def count(self) -> int:
        import psycopg

        base = self.url.rpartition("/")[0]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (DATABASE_NAME,),
            ).fetchone()
        return int(row[0]) if row else 0

    def run(self) -> None:
        import psycopg

        base = self.url.rpartition("/")[0]
        try:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
                while not self.stop.is_set():
                    row = conn.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (DATABASE_NAME,)
                    ).fetchone()
                    sessions = int(row[0]) if row else 0
                    self.samples.append(sessions)
                    if sessions > self.limit:
                        self.over_limit.set()
                    time.sleep(0.05)
        except psycopg.Error as exc:  # e.g. the server is out of connection slots
            self.error = str(exc).strip()
            self.over_limit.set()


@dataclass
class Outcome:
    statuses: dict[int, int] = field(default_factory=dict)
    wrong_tenant: int = 0
    transport_errors: int = 0
    transport_error_kinds: dict[str, int] = field(default_factory=dict)
    #: 503 answers that are not the pool's JSON error with ``Retry-After``.
    malformed_503: int = 0
    latencies: list[float] = field(default_factory=list)
    sent: int = 0


async def _client(
    port: int, tokens: dict[str, str], jobs: asyncio.Queue[int], outcome: Outcome, stop: threading.Event
) -> None:
    """One keep-alive connection sending requests from ``jobs`` until it is empty or ``stop``."""
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while not stop.is_set():
        try:
            index = jobs.get_nowait()
        except asyncio.QueueEmpty:
            break
        site = SITES[index % 2]
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            assert reader is not None
            writer.write(
                (
                    f"GET /api/v1/auth/user/ HTTP/1.1\r\nHost: {site}.localhost\r\n"
                    f"Authorization: Bearer {tokens[site]}\r\nAccept: application/json\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            status, headers, body = await asyncio.wait_for(_read_response(reader), timeout=90)
            outcome.sent += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            outcome.transport_errors += 1
            kind = type(exc).__name__
            outcome.transport_error_kinds[kind] = outcome.transport_error_kinds.get(kind, 0) + 1
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        outcome.latencies.append(time.monotonic() - started)
        outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
        if status == 200 and json.loads(body).get("email") != f"admin@{site}.test":
            outcome.wrong_tenant += 1
        if status == 503 and not _is_pool_503(headers, body):
            outcome.malformed_503 += 1
        if headers.get("connection", "").lower() == "close":
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def _is_pool_503(headers: dict[str, str], body: bytes) -> bool:
    """Whether a 503 is the API's answer to an exhausted pool: JSON error shape and Retry-After."""
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return False
    return code == "server_error" and headers.get("retry-after", "").isdigit()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ValueError("connection closed")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while (size := int((await reader.readline()).strip() or b"0", 16)) > 0:
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    else:
        body = b""
    return status, headers, body


async def _load(port: int, tokens: dict[str, str], requests: int, concurrency: int, stop: threading.Event) -> Outcome:
    jobs: asyncio.Queue[int] = asyncio.Queue()
    for index in range(requests):
        jobs.put_nowait(index)
    outcome = Outcome()
    clients = [_client(port, tokens, jobs, outcome, stop) for _ in range(concurrency)]
    await asyncio.wait_for(asyncio.gather(*clients), timeout=MAX_SECONDS)
    return outcome


def run(args: argparse.Namespace) -> dict[str, Any]:
    """One run: server up, load, sessions counted, server down. Returns the row's figures."""
    env = _environment(args)
    _provision(env)
    sampler = SessionSampler(env["DATABASE_URL"], args.max_sessions)
    bouncer = None
    if args.pgbouncer:
        bouncer, bouncer_port = _start_pgbouncer(env["DATABASE_URL"], args.pgbouncer_servers)
        base, _, name = env["DATABASE_URL"].rpartition("/")
        user = base.split("//", 1)[1].split("@", 1)[0].split(":", 1)[0] or "postgres"
        env.update(DATABASE_URL=f"postgres://{user}@127.0.0.1:{bouncer_port}/{name}", DB_POOL_MODE=args.pool_mode)
    port = _free_port()
    try:
        server = _start_server(env, port, args.workers)
    except BaseException:
        _stop_pgbouncer(bouncer)
        raise
    try:
        tokens = {site: _login(port, site) for site in SITES}
        sampler.start()
        started = time.monotonic()
        outcome = asyncio.run(
            _load(port, tokens, min(args.requests, MAX_REQUESTS), args.concurrency, sampler.over_limit)
        )
        elapsed = time.monotonic() - started
        time.sleep(2.0)
        sampler.stop.set()
        sampler.join(5)
        after = sampler.count()
    finally:
        _stop_server(server)
        _stop_pgbouncer(bouncer)
    five_xx = sum(n for status, n in outcome.statuses.items() if status >= 500)
    ordered = sorted(outcome.latencies) or [0.0]
    return {
        "configuration": (
            "no pool, DB_CONN_MAX_AGE=60"
            if args.no_pool
            else f"pool max {args.pool_max}, timeout {args.pool_timeout:g} s"
        )
        + (
            f"; PgBouncer transaction mode, {args.pgbouncer_servers} server sessions, DB_POOL_MODE={args.pool_mode}"
            if args.pgbouncer
            else ""
        ),
        "workers": args.workers,
        "bound": None if args.no_pool else args.workers * args.pool_max,
        "requests": outcome.sent,
        "concurrency": args.concurrency,
        "statuses": dict(sorted(outcome.statuses.items())),
        "5xx": five_xx,
        "wrong_tenant": outcome.wrong_tenant,
        "transport_errors": outcome.transport_errors,
        "transport_error_kinds": outcome.transport_error_kinds,
        "malformed_503": outcome.malformed_503,
        "requests_per_s": round(outcome.sent / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000),
        "max_sessions_during": max(sampler.samples, default=0),
        "sessions_after": after,
        "stopped": (
            f"stopped early: more than {args.max_sessions} sessions" + (f" ({sampler.error})" if sampler.error else "")
            if sampler.over_limit.is_set()
            else ""
        ),
    }


def _note(row: dict[str, Any]) -> str:
    if row["stopped"]:
        return str(row["stopped"])
    notes = []
    if row["malformed_503"]:
        notes.append(f"{row['malformed_503']} 503s not in the error shape")
    if row["transport_errors"]:
        notes.append(f"{row['transport_errors']} transport errors {row['transport_error_kinds']}")
    return "; ".join(notes)


def _markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| configuration | workers | bound | requests | concurrency | statuses | 5xx | wrong tenant "
        "| req/s | p50 ms | p99 ms | max sessions during | sessions after | note |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [
        f"| {r['configuration']} | {r['workers']} | {r['bound'] or '—'} | {r['requests']} | {r['concurrency']} "
        f"| {', '.join(f'{s}: {n}' for s, n in r['statuses'].items())} | {r['5xx']} | {r['wrong_tenant']} "
        f"| {r['requests_per_s']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_sessions_during']} "
        f"| {r['sessions_after']} | {_note(r)} |"
        for r in rows
    ]
    return "\n".join([head, *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help=f"requests to send (at most {MAX_REQUESTS})")
    parser.add_argument("--concurrency", type=int, default=200, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--pool-max", type=int, default=10, help="DB_POOL_MAX_SIZE")
    parser.add_argument("--pool-timeout", type=float, default=10.0, help="DB_POOL_TIMEOUT, seconds")
    parser.add_argument("--no-pool", action="store_true", help="the configuration before the pool")
    parser.add_argument("--max-sessions", type=int, default=60, help="stop sending above this many sessions")
    parser.add_argument(
        "--pgbouncer", action="store_true", help="put a PgBouncer in transaction mode between the server and PostgreSQL"
    )
    parser.add_argument("--pgbouncer-servers", type=int, default=4, help="PgBouncer's default_pool_size")
    parser.add_argument(
        "--pool-mode", choices=["transaction", "session"], default="transaction", help="DB_POOL_MODE behind PgBouncer"
    )
    args = parser.parse_args()
    row = run(args)
    print(_markdown([row]))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "connections.json").write_text(json.dumps(row, indent=2) + "\n")


if __name__ == "__main__":
    main()
