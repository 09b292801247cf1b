"""Routing benchmark: requests/s of one cheap view on tenant hosts vs the platform host.

    .venv/bin/python bench/routing.py [--tenants 200] [--rounds 3] [--duration 10] [--code-dir DIR]

Starts the production server configuration (``saas.settings.production``; gunicorn with
``uvicorn_worker.UvicornWorker``, 2 workers, Redis as the cache, ``DB_CONN_MAX_AGE=0`` as in
``k8s/base/configmap.yaml``) against its own database (``saas_bench_routing``: with
``DATABASE_URL`` set, the same server with that database name; the embedded server otherwise)
holding ``--tenants`` tenants, and its own ``redis-server`` on a free port (so the Redis figures
count this server's traffic only). ``--code-dir`` serves another checkout of the code (e.g. a
worktree of ``main``) with the same database and Redis: run it once per checkout to compare.

Each round loads, with ``wrk`` (``apt-get install wrk``), one after the other:

* ``tenant``: ``GET /api/v1/site/`` with a Host header picked at random among every tenant;
* ``platform``: ``GET /api/v1/site/`` on the platform host (no tenant lookup there; the path is
  not served on the platform, so it is answered by the catch-all JSON 404);
* ``tenant-404`` / ``platform-404``: ``GET /api/v1/nothing/`` on both, the same view (the
  catch-all JSON 404) on each host, so the only difference is routing.

and reports requests/s, the ratios tenant / platform per round and their median, and how many
connections and commands Redis received per 1000 requests. Figures go to stdout as a Markdown
table and to ``bench/results/routing-<label>.json``.
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
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "saas_bench_routing"
PLATFORM = "bench.test"
SLUG_PREFIX = "route-"
SCENARIOS = {
    "tenant": ("tenants", "/api/v1/site/"),
    "platform": ("platform", "/api/v1/site/"),
    "tenant-404": ("tenants", "/api/v1/nothing/"),
    "platform-404": ("platform", "/api/v1/nothing/"),
}
RATIOS = {"site": ("tenant", "platform"), "catch-all 404": ("tenant-404", "platform-404")}

WRK_SCRIPT = """
local hosts = {}
for line in io.lines("%(hosts)s") do hosts[#hosts + 1] = line end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "%(path)s", {Host = hosts[math.random(#hosts)]})
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


def provision(count: int) -> list[str]:
    """Make sure ``count`` bench tenants exist (active); returns their host names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
    os.environ["PLATFORM_DOMAIN"] = PLATFORM
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    os.environ.pop("REDIS_URL", None)  # provisioning runs eagerly, without a broker
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    from shared_apps.tenancy.models import Domain, Tenant, TenantKind, TenantStatus
    from shared_apps.tenancy.services import tenant_provision

    call_command("migrate_schemas", verbosity=0)
    kinds = list(TenantKind.values)
    existing = set(Tenant.objects.filter(schema_name__startswith=SLUG_PREFIX).values_list("schema_name", flat=True))
    started = time.perf_counter()
    for i in range(count):
        slug = f"{SLUG_PREFIX}{i:04d}"
        if slug not in existing:
            tenant_provision(kind=kinds[i % len(kinds)], slug=slug, name=f"Route {i}", owner_email=f"o{i}@bench.test")
    if len(existing) < count:
        print(f"provisioned {count - len(existing)} tenants in {time.perf_counter() - started:.0f} s", flush=True)
    slugs = [f"{SLUG_PREFIX}{i:04d}" for i in range(count)]
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
            "LOG_LEVEL": "WARNING",
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


def wrk(port: int, hosts_file: str, path: str, *, duration: float, connections: int, threads: int) -> dict[str, Any]:
    """Run wrk once; requests/s, requests and non-2xx/3xx responses."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"hosts": hosts_file, "path": path})
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=200, help="tenants provisioned and spread over")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four scenarios")
    parser.add_argument("--duration", type=float, default=10, help="seconds per scenario and round")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--code-dir", type=Path, default=ROOT, help="checkout whose code the server runs")
    parser.add_argument("--label", default="", help="name of the results file (default: the code dir's branch)")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("redis-server"):
        sys.exit("needs wrk and redis-server on PATH (apt-get install wrk redis-server)")

    code_dir = args.code_dir.resolve()
    label = (
        args.label
        or subprocess.run(
            ["git", "-C", str(code_dir), "rev-parse", "--abbrev-ref", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
    )
    commit = subprocess.run(
        ["git", "-C", str(code_dir), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()

    database_url = _database_url()
    tenant_hosts = provision(args.tenants)
    files = {}
    for name, host_list in {"tenants": tenant_hosts, "platform": [PLATFORM]}.items():
        with tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False) as f:
            f.write("\n".join(host_list) + "\n")
            files[name] = f.name

    redis = Redis()
    server = Server(code_dir, database_url=database_url, redis_url=redis.url, workers=args.workers)
    rounds: list[dict[str, Any]] = []
    try:
        for hosts, path in SCENARIOS.values():  # every worker has seen every host
            wrk(server.port, files[hosts], path, duration=args.warmup, connections=args.connections, threads=1)
        for number in range(args.rounds):
            results: dict[str, Any] = {}
            for name, (hosts, path) in SCENARIOS.items():
                before = redis.stats()
                run = wrk(
                    server.port,
                    files[hosts],
                    path,
                    duration=args.duration,
                    connections=args.connections,
                    threads=args.threads,
                )
                after = redis.stats()
                per_1000 = 1000 / max(1, run["requests"])
                run["redis_connections_per_1000"] = round(
                    (after["total_connections_received"] - before["total_connections_received"] - 1) * per_1000, 2
                )
                run["redis_commands_per_1000"] = round(
                    (after["total_commands_processed"] - before["total_commands_processed"] - 1) * per_1000, 2
                )
                results[name] = run
            ratios = {key: results[a]["rps"] / results[b]["rps"] for key, (a, b) in RATIOS.items()}
            rounds.append({"scenarios": results, "ratios": ratios})
            print(
                f"round {number + 1}: "
                + ", ".join(f"{n} {r['rps']:.0f}/s" for n, r in results.items())
                + " | "
                + ", ".join(f"{k} ratio {v:.2f}" for k, v in ratios.items()),
                flush=True,
            )
    finally:
        server.stop()
        redis.stop()
        for name in files.values():
            os.unlink(name)

    summary = {
        "label": label,
        "commit": commit,
        "code_dir": str(code_dir),
        "tenants": args.tenants,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "median_ratio": {key: statistics.median(r["ratios"][key] for r in rounds) for key in RATIOS},
        "rounds": rounds,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"routing-{re.sub(r'[^A-Za-z0-9_.-]', '_', label)}.json").write_text(json.dumps(summary, indent=2))

    print(f"\n{label} ({commit}): {args.tenants} tenants, {args.workers} workers, {args.connections} connections")
    print("| scenario | req/s (median) | non-2xx/3xx | Redis connections / 1000 req | Redis commands / 1000 req |")
    print("|---|---|---|---|---|")
    for name in SCENARIOS:
        runs = [r["scenarios"][name] for r in rounds]
        print(
            f"| {name} | {statistics.median(r['rps'] for r in runs):.0f} | {sum(r['non_2xx_3xx'] for r in runs)} | "
            f"{statistics.median(r['redis_connections_per_1000'] for r in runs)} | "
            f"{statistics.median(r['redis_commands_per_1000'] for r in runs)} |"
        )
    for key, value in summary["median_ratio"].items():
        per_round = ", ".join(f"{r['ratios'][key]:.2f}" for r in rounds)
        print(f"tenant / platform, {key}: {value:.2f} (per round: {per_round})")


if __name__ == "__main__":
    main()
