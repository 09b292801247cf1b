"""Load suite: the production server configuration under Locust, scenario by scenario.

    .venv/bin/python bench/load/run.py [--tenants-per-kind 25] [--users 20] [--duration 20]
                                      [--workers 2] [--scenarios SchoolBrowse,Login,...]

What it does, against its own database (``saas_load``, on the ``DATABASE_URL`` server; the
embedded PostgreSQL when that is unset) and Redis database (``LOAD_REDIS_URL``, default
``redis://127.0.0.1:6379/13``, flushed first):

1. migrates, and provisions ``--tenants-per-kind`` sites of every kind (kept between runs), each
   with one user per role;
2. starts gunicorn with uvicorn workers (``--workers``) on the production settings profile, as the
   image runs it (``saas.settings.production``, Redis as cache and broker; no Celery worker, so
   tasks queue up in Redis as they would during a worker outage);
3. signs the users in once, then runs each scenario of ``locustfile.py`` alone for ``--duration``
   seconds with ``--users`` concurrent clients, sampling the database's PostgreSQL sessions;
4. prints a Markdown table (requests/s, p50 and p99 in ms, failures, 5xx, the most PostgreSQL
   sessions seen during the scenario and the number left open after it) and writes
   ``bench/results/load.json``. ``TenantProfile / PlatformProfile`` is the ratio of the same view
   on tenant hosts and on the platform host.

Locust and the server share this machine's cores, so absolute figures depend on it; the ratios and
the session counts are the point.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "load-pass-1234"
DATABASE_NAME = "saas_load"
DEFAULT_SCENARIOS = (
    "PlatformProfile",
    "TenantProfile",
    "SchoolBrowse",
    "StoreBrowse",
    "WritingBrowse",
    "RentalBrowse",
    "Login",
    "SchoolWrite",
    "StoreWrite",
)


def _environment(redis_url: str) -> dict[str, str]:
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
        socket_dir = db["HOST"].replace("/", "%2F")
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{socket_dir}:{db['PORT']}/{DATABASE_NAME}"
    env.update(
        DJANGO_SETTINGS_MODULE="saas.settings.production",
        DJANGO_SECRET_KEY="load-test-only-0123456789abcdefghijklmnopqrstuvwxyz",
        REDIS_URL=redis_url,
        PLATFORM_DOMAIN="localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SENTRY_DSN="",
        # Every client comes from 127.0.0.1: the brute-force throttles would stop the login scenario.
        AUTH_THROTTLE_RATES="login_address=1000000/h,login_ip=1000000/h",
    )
    return env


def _provision(env: dict[str, str], per_kind: int) -> dict[str, Any]:
    """Migrate and provision the sites (idempotent); return the fixture without tokens."""
    os.environ.update(env)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django_tenants.utils import tenant_context

    from saas.db.tenant import use_public_schema
    from shared_apps.tenancy.models import Tenant
    from shared_apps.tenancy.services import tenant_host, tenant_provision
    from tenant_apps.accounts.models import User
    from tenant_apps.accounts.roles import roles_of
    from tenant_apps.accounts.services import user_create
    from tenant_apps.kinds import all_kinds

    call_command("migrate_schemas", verbosity=0)
    use_public_schema()
    staff = "staff@localhost"
    if not User.objects.filter(email=staff).exists():
        User.objects.create_superuser(email=staff, password=PASSWORD)
    tenants = []
    for kind in all_kinds():
        customer_role = roles_of(kind)[0]
        for i in range(1, per_kind + 1):
            slug = f"load-{kind}-{i}"
            tenant = Tenant.objects.filter(schema_name=slug).first() or tenant_provision(
                kind=kind, slug=slug, name=slug, owner_email=f"admin@{slug}.test", owner_password=PASSWORD
            )
            email = f"{customer_role}@{slug}.test"
            with tenant_context(tenant):
                for role in roles_of(kind):
                    if not User.objects.filter(email=f"{role}@{slug}.test").exists():
                        user_create(email=f"{role}@{slug}.test", password=PASSWORD, roles=[role])
            tenants.append({"kind": kind, "host": tenant_host(slug), "customer_email": email})
        use_public_schema()
    return {"password": PASSWORD, "platform": {"host": "localhost", "staff_email": staff}, "tenants": tenants}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(base: str, host: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers={"Host": host, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _login(base: str, host: str, email: str) -> str:
    status, body = _request(base, host, "/api/v1/auth/login/", {"email": email, "password": PASSWORD})
    if status != 200:
        raise SystemExit(f"login of {email} on {host} failed: {status} {body!r}")
    return str(body["access"])


def _start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "saas.asgi:application",
        "--worker-class=uvicorn_worker.UvicornWorker",
        f"--workers={workers}",
        f"--bind=127.0.0.1:{port}",
        "--no-control-socket",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if _request(f"http://127.0.0.1:{port}", "localhost", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    os.killpg(server.pid, signal.SIGTERM)
    raise SystemExit("the server did not start within 60 s")


class SessionSampler(threading.Thread):
    """Counts the bench database's PostgreSQL sessions (``pg_stat_activity``) every 0.2 s."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.peak = 0
        self._stop_event = threading.Event()

    def count(self) -> int:
        """Sessions open on the bench database now; ``-1`` when the server refuses a connection
        (``too many clients``: the server's own sessions have taken every slot)."""
        import psycopg

        try:
            with psycopg.connect(self.database_url, autocommit=True) as conn:
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    (DATABASE_NAME,),
                ).fetchone()
        except psycopg.OperationalError:
            return -1
        return int(row[0]) if row else 0

    def run(self) -> None:
        while not self._stop_event.wait(0.2):
            self.peak = max(self.peak, self.count())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


def _run_scenario(scenario: str, *, port: int, users: int, duration: int, fixture_path: str) -> dict[str, Any]:
    """Run one Locust user class headless; return the aggregated figures of its CSV."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"{tmp}/{scenario}"
        command = [
            str(ROOT / ".venv/bin/locust"),
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            scenario,
            "--headless",
            f"--users={users}",
            f"--spawn-rate={users}",
            f"--run-time={duration}s",
            f"--host=http://127.0.0.1:{port}",
            f"--csv={prefix}",
            "--only-summary",
            "--loglevel=ERROR",
        ]
        status_file = f"{tmp}/status.json"
        env = {**os.environ, "LOAD_FIXTURE": fixture_path, "LOAD_STATUS_FILE": status_file}
        subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
            total = next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")
        with open(status_file, encoding="utf-8") as handle:
            statuses = json.load(handle)
    return {
        "scenario": scenario,
        "requests": int(total["Request Count"]),
        "rps": float(total["Requests/s"]),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
        "failures": int(total["Failure Count"]),
        "server_errors": int(statuses.get("5xx", 0)),
        "no_response": int(statuses.get("no_response", 0)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants-per-kind", type=int, default=25)
    parser.add_argument("--users", type=int, default=20, help="concurrent Locust users per scenario")
    parser.add_argument("--duration", type=int, default=20, help="seconds per scenario")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--scenarios", default=",".join(DEFAULT_SCENARIOS))
    args = parser.parse_args()

    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = _environment(redis_url)
    fixture = _provision(env, args.tenants_per_kind)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(env, port, args.workers)
    results = []
    try:
        fixture["platform"]["staff_token"] = _login(base, "localhost", fixture["platform"]["staff_email"])
        for site in fixture["tenants"]:
            site["customer_token"] = _login(base, site["host"], site["customer_email"])
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(fixture, handle)
            fixture_path = handle.name
        sampler_url = env["DATABASE_URL"]
        for scenario in args.scenarios.split(","):
            sampler = SessionSampler(sampler_url)
            sampler.start()
            result = _run_scenario(
                scenario, port=port, users=args.users, duration=args.duration, fixture_path=fixture_path
            )
            result["pg_sessions_peak"] = sampler.stop()
            time.sleep(1)
            result["pg_sessions_after"] = sampler.count()
            results.append(result)
            print(f"  {scenario}: {result['rps']:.0f} req/s", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    by_name = {r["scenario"]: r for r in results}
    ratio = None
    if "TenantProfile" in by_name and "PlatformProfile" in by_name and by_name["PlatformProfile"]["rps"]:
        ratio = by_name["TenantProfile"]["rps"] / by_name["PlatformProfile"]["rps"]
    conditions = {
        "tenants": len(fixture["tenants"]),
        "workers": args.workers,
        "users": args.users,
        "duration_s": args.duration,
        "cpus": os.cpu_count(),
    }
    print(
        f"\n{conditions['tenants']} tenants, gunicorn + {args.workers} uvicorn workers, "
        f"{args.users} Locust users, {args.duration} s per scenario, {os.cpu_count()} CPUs\n"
    )
    print("| scenario | req/s | p50 ms | p99 ms | failures | 5xx | PG sessions (peak / after) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['scenario']} | {r['rps']:.0f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['failures']} "
            f"| {r['server_errors']} | {r['pg_sessions_peak']} / {r['pg_sessions_after']} |"
        )
    if ratio is not None:
        print(f"\nTenantProfile / PlatformProfile (same view, tenant hosts vs platform host): {ratio:.2f}x")
    out = ROOT / "bench/results/load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"conditions": conditions, "results": results, "tenant_platform_ratio": ratio}, indent=2))


if __name__ == "__main__":
    main()
