"""Routing benchmark: requests/s of one cheap view on tenant hosts vs the platform host.

    .venv/bin/python bench/routing.py [--tenants 200] [--rounds 3] [--duration 10] [--code-dir DIR]

Starts the production server configuration (``saas.settings.production``; gunicorn with
``uvicorn_worker.UvicornWorker``, 2 workers, Redis as the cache, ``DB_CONN_MAX_AGE=0`` as in
``k8s/base/configmap.yaml``) against its own database (``saas_bench_routing``: with
``DATABASE_URL`` set, the same server with that database name; the embedded server otherwise)
holding ``--tenants`` tenants, and its own ``redis-server`` on a free port (so the Redis figures
count this server's traffic only). ``--code-dir`` serves another checkout of the code;
``--compare DIR`` (repeatable) starts a server for another checkout too (e.g. a worktree of
``main``: ``git worktree add --detach /tmp/wt-base main``) and measures both in the same rounds,
alternating, so that the machine's load drifts the same way for both.

After a warm-up (every host requested 8 times on new connections, so that every worker has
most likely served it, then a few seconds of each scenario), each round loads, with ``wrk``
(``apt-get install wrk``), one after the other:

* ``tenant``: ``GET /api/v1/site/`` with a Host header picked at random among every tenant;
* ``platform``: ``GET /api/v1/site/`` on the platform host (no tenant lookup there; the path is
  not served on the platform, so it is answered by the catch-all JSON 404);
* ``tenant-verify`` / ``platform-verify``: ``POST /api/v1/auth/token/verify/`` with an invalid
  token (a 401, no query): the same DRF view at the same place in both URL confs, so the only
  difference is routing.

Each ratio's two scenarios run back to back, the platform first every other round, so that the
machine's load changes as little as possible between the two: on a busy machine prefer many short
rounds (``--rounds 12 --duration 3``) to a few long ones. The bench reports requests/s and the
ratios tenant / platform per round and their median, and the same ratios computed from the CPU
time the server (gunicorn master, workers and its Redis, read from ``/proc``) spent per request
("(CPU)": platform CPU per request / tenant CPU per request, which is the throughput ratio of a
CPU-bound server, and much less sensitive to other load on a shared machine than requests/s), and
how many connections and commands Redis received per 1000 requests. Figures go to stdout as a Markdown
table per checkout and to ``bench/results/routing.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "saas_bench_routing"
PLATFORM = "bench.test"
SLUG_PREFIX = "route-"
#: name: (hosts, method, path, JSON body)
SCENARIOS = {
    "tenant": ("tenants", "GET", "/api/v1/site/", ""),
    "platform": ("platform", "GET", "/api/v1/site/", ""),
    "tenant-verify": ("tenants", "POST", "/api/v1/auth/token/verify/", '{"token": "x"}'),
    "platform-verify": ("platform", "POST", "/api/v1/auth/token/verify/", '{"token": "x"}'),
}
RATIOS = {"site": ("tenant", "platform"), "token verify": ("tenant-verify", "platform-verify")}

WRK_SCRIPT = """
local hosts = {}
for line in io.lines("%(hosts)s") do hosts[#hosts + 1] = line end
math.randomseed(os.time())
local body = '%(body)s'
if body == "" then body = nil end
request = function()
  local headers = {Host = hosts[math.random(#hosts)]}
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format("%(method)s", "%(path)s", headers, body)
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url() -> str:
    """``DATABASE_URL`` pointed at the bench database (created if missing), or "" for the embedded server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["EMBEDDED_PG_DATABASE"] = DATABASE
        return ""
    base, _, _name = url.rpartition("/")
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f"CREATE DATABASE {DATABASE}")
    os.environ["DATABASE_URL"] = f"{base}/{DATABASE}"
    return os.environ["DATABASE_URL"]


def provision(count: int, *, migrate: bool) -> list[str]:
    """Make sure ``count`` bench tenants exist (active); returns their host names.

    Migrates every schema first when tenants are missing or ``migrate`` is set (minutes, with
    hundreds of schemas); otherwise the database is used as it is.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
    os.environ["PLATFORM_DOMAIN"] = PLATFORM
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.pop("REDIS_URL", None)  # provisioning runs eagerly, without a broker
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection

    from shared_apps.tenancy.models import Domain, Tenant, TenantKind, TenantStatus
    from shared_apps.tenancy.services import tenant_provision

    slugs = [f"{SLUG_PREFIX}{i:04d}" for i in range(count)]
    existing: set[str] = set()
    if "tenancy_tenant" in connection.introspection.table_names():
        existing = set(Tenant.objects.filter(schema_name__in=slugs).values_list("schema_name", flat=True))
    if migrate or len(existing) < count:
        call_command("migrate_schemas", verbosity=0)
    kinds = list(TenantKind.values)
    started = time.perf_counter()
    for i in range(count):
        slug = f"{SLUG_PREFIX}{i:04d}"
        if slug not in existing:
            tenant_provision(kind=kinds[i % len(kinds)], slug=slug, name=f"Route {i}", owner_email=f"o{i}@bench.test")
    if len(existing) < count:
        print(f"provisioned {count - len(existing)} tenants in {time.perf_counter() - started:.0f} s", flush=True)
    assert Tenant.objects.filter(schema_name__in=slugs, status=TenantStatus.ACTIVE).count() == count
    return sorted(
        Domain.objects.filter(tenant__schema_name__in=slugs, is_primary=True).values_list("domain", flat=True)
    )


class Redis:
    """A private ``redis-server`` on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"
        for _ in range(100):
            if self.stats():
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stats(self) -> dict[str, int]:
        """``total_connections_received`` and ``total_commands_processed`` (empty when down)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"INFO stats\r\n")
                data = b""
                while b"total_commands_processed" not in data or not data.endswith(b"\r\n"):
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except OSError:
            return {}
        found = dict(re.findall(rb"(total_connections_received|total_commands_processed):(\d+)", data))
        return {k.decode(): int(v) for k, v in found.items()}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Server:
    """gunicorn with uvicorn workers, production settings, serving ``code_dir``."""

    def __init__(self, code_dir: Path, *, database_url: str, redis_url: str, workers: int) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saas.settings.production",
            "DJANGO_SECRET_KEY": "bench-only-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "PLATFORM_DOMAIN": PLATFORM,
            "ALLOWED_HOSTS": "*",
            "SECURE_SSL_REDIRECT": "false",
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "ERROR",  # no line per 401 / 404
            "PYTHONPATH": str(code_dir),
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        env.pop("EMBEDDED_PG_DATABASE", None)
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "saas.asgi:application",
                "--worker-class=uvicorn_worker.UvicornWorker",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--no-control-socket",
                "--graceful-timeout=5",
            ],
            cwd=code_dir,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wrk(
    port: int, hosts_file: str, scenario: str, *, duration: float, connections: int, threads: int
) -> dict[str, Any]:
    """Run wrk once on ``scenario``; requests/s, requests and non-2xx/3xx responses."""
    _hosts, method, path, body = SCENARIOS[scenario]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"hosts": hosts_file, "method": method, "path": path, "body": body})
    try:
        out = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{duration:g}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "requests": requests,
        "non_2xx_3xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def warm_up(port: int, hosts: list[str], *, per_host: int = 8) -> None:
    """Request every host ``per_host`` times, each on a new connection, so that every worker has
    most likely served every host once (the kernel spreads new connections over the workers):
    the rounds then measure the steady state, not the first lookups."""
    from concurrent.futures import ThreadPoolExecutor

    def get(host: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/site/", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=30):
                pass
        except urllib.error.HTTPError:
            pass  # the platform host answers 404 there

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, [host for host in hosts for _ in range(per_host)]))


def _git(code_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(code_dir), *args], capture_output=True, text=True).stdout.strip()


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` and their children (from ``/proc``)."""
    stats: dict[int, tuple[int, float]] = {}  # pid: (parent, seconds)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS)
    return sum(seconds for pid, (parent, seconds) in stats.items() if pid in pids or parent in pids)


class Target:
    """One checkout under test: its server, its own Redis, its rounds."""

    def __init__(self, code_dir: Path, label: str, *, database_url: str, workers: int) -> None:
        self.code_dir = code_dir.resolve()
        self.label = label or _git(self.code_dir, "rev-parse", "--abbrev-ref", "HEAD")
        self.commit = _git(self.code_dir, "rev-parse", "--short", "HEAD")
        self.redis = Redis()
        self.server = Server(self.code_dir, database_url=database_url, redis_url=self.redis.url, workers=workers)
        self.rounds: list[dict[str, Any]] = []

    def run_round(self, files: dict[str, str], *, duration: float, connections: int, threads: int, flip: bool) -> str:
        """Every scenario once, each pair of a ratio back to back (platform first when ``flip``);
        returns a one-line summary."""
        results: dict[str, Any] = {}
        order = [name for pair in RATIOS.values() for name in (pair[::-1] if flip else pair)]
        for name in order:
            hosts = SCENARIOS[name][0]
            before, cpu_before = self.redis.stats(), self.cpu_seconds()
            run = wrk(self.server.port, files[hosts], name, duration=duration, connections=connections, threads=threads)
            after, cpu_after = self.redis.stats(), self.cpu_seconds()
            per_1000 = 1000 / max(1, run["requests"])
            run["cpu_ms_per_request"] = (cpu_after - cpu_before) * per_1000
            for stat, key in (("connections", "total_connections_received"), ("commands", "total_commands_processed")):
                # the first INFO is one connection and one command of the second's figures
                run[f"redis_{stat}_per_1000"] = round((after[key] - before[key] - 1) * per_1000, 2)
            results[name] = run
        ratios = {key: results[a]["rps"] / results[b]["rps"] for key, (a, b) in RATIOS.items()}
        ratios |= {
            f"{key} (CPU)": results[b]["cpu_ms_per_request"] / results[a]["cpu_ms_per_request"]
            for key, (a, b) in RATIOS.items()
        }
        self.rounds.append({"scenarios": results, "ratios": ratios})
        return (
            f"{self.label}: "
            + ", ".join(f"{n} {r['rps']:.0f}/s" for n, r in results.items())
            + " | "
            + ", ".join(f"{k} ratio {v:.2f}" for k, v in ratios.items())
        )

    def cpu_seconds(self) -> float:
        """CPU time used so far by the gunicorn master, its workers and this target's Redis."""
        return _cpu_seconds([self.server.process.pid, self.redis.process.pid])

    def stop(self) -> None:
        self.server.stop()
        self.redis.stop()

    def summary(self, args: argparse.Namespace) -> dict[str, Any]:
        return {
            "label": self.label,
            "commit": self.commit,
            "code_dir": str(self.code_dir),
            "tenants": args.tenants,
            "workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "median_ratio": {
                key: statistics.median(r["ratios"][key] for r in self.rounds) for key in self.rounds[0]["ratios"]
            },
            "rounds": self.rounds,
        }

    def report(self, args: argparse.Namespace) -> None:
        print(
            f"\n{self.label} ({self.commit}): {args.tenants} tenants, {args.workers} workers, "
            f"{args.connections} connections"
        )
        print(
            "| scenario | req/s (median) | server CPU ms / req (median) | non-2xx/3xx "
            "| Redis connections / 1000 req | Redis commands / 1000 req |"
        )
        print("|---|---|---|---|---|---|")
        for name in SCENARIOS:
            runs = [r["scenarios"][name] for r in self.rounds]
            print(
                f"| {name} | {statistics.median(r['rps'] for r in runs):.0f} | "
                f"{statistics.median(r['cpu_ms_per_request'] for r in runs):.2f} | "
                f"{sum(r['non_2xx_3xx'] for r in runs)} | "
                f"{statistics.median(r['redis_connections_per_1000'] for r in runs)} | "
                f"{statistics.median(r['redis_commands_per_1000'] for r in runs)} |"
            )
        for key in self.rounds[0]["ratios"]:
            per_round = ", ".join(f"{r['ratios'][key]:.2f}" for r in self.rounds)
            median = statistics.median(r["ratios"][key] for r in self.rounds)
            print(f"tenant / platform, {key}: {median:.2f} (per round: {per_round})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=200, help="tenants provisioned and spread over")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four scenarios")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario and round")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk warm-up per scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--code-dir", type=Path, default=ROOT, help="checkout whose code the server runs")
    parser.add_argument("--label", default="", help="its name in the results (default: its branch)")
    parser.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        help="another checkout to measure in the same rounds, alternating (e.g. a worktree of main)",
    )
    parser.add_argument("--migrate", action="store_true", help="migrate every schema although all tenants exist")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("redis-server"):
        sys.exit("needs wrk and redis-server on PATH (apt-get install wrk redis-server)")

    database_url = _database_url()
    tenant_hosts = provision(args.tenants, migrate=args.migrate)
    files: dict[str, str] = {}
    for name, names in {"tenants": tenant_hosts, "platform": [PLATFORM]}.items():
        with tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False) as f:
            f.write("\n".join(names) + "\n")
            files[name] = f.name

    targets: list[Target] = []
    try:
        for code_dir, label in [(args.code_dir, args.label), *((d, "") for d in args.compare)]:
            targets.append(Target(code_dir, label, database_url=database_url, workers=args.workers))
        for target in targets:
            warm_up(target.server.port, [*tenant_hosts, PLATFORM])
            for name, (hosts, *_request) in SCENARIOS.items():
                wrk(
                    target.server.port,
                    files[hosts],
                    name,
                    duration=args.warmup,
                    connections=args.connections,
                    threads=1,
                )
        for number in range(args.rounds):
            # alternate the order, so neither checkout always runs first in a round
            for target in targets if number % 2 == 0 else targets[::-1]:
                line = target.run_round(
                    files,
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                    flip=number % 2 == 1,
                )
                print(f"round {number + 1}, {line}", flush=True)
    finally:
        for target in targets:
            target.stop()
        for name in files.values():
            os.unlink(name)

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "routing.json").write_text(json.dumps([target.summary(args) for target in targets], indent=2))
    for target in targets:
        target.report(args)


if __name__ == "__main__":
    main()
