"""Provisioning at scale: the first clone in a fresh process, with 1,000 and 5,000 schemas.

    .venv/bin/python bench/provisioning_scale.py [--scales 1000,5000] [--runs 5] [--code ROOT]

Every CLI call and every new web worker is a fresh process: its first provisioning builds the
clone plan of the kind's template from the PostgreSQL catalog, which grows with every schema in
the database. This bench fills the catalog up to each scale, then starts ``--runs`` fresh
processes per scale and kind of measurement and reports the median (p50) and the maximum of:

* ``first clone``: ``clone_schema(template, new)`` in the process's first transaction (rolled
  back), the clone planner's catalog queries included;
* ``first provisioning``: ``tenant_provision`` end to end (template check, tenant row, domain,
  clone, roles, owner, the owner's e-mail task published to an in-memory broker), committed,
  then dropped again by the bench.

The catalog is filled with *filler schemas*: ``clone_schema`` copies of the four per-kind
templates (tables, identity sequences, constraints, indexes and rows exactly like a tenant's),
without tenant rows, round-robin over the kinds. Whether a schema has a ``Tenant`` row does not
change the catalog, and cloning directly is faster than provisioning (no owner, no domain).

Runs against its own database (``saas_bench_scale`` on the server of ``DATABASE_URL``, or in the
embedded server), created on first use and kept between runs, since filling 5,000 schemas takes
a while; ``--reset`` drops it first. ``--code /path/to/checkout`` runs the fresh processes with
another checkout's code (e.g. ``git worktree add /tmp/base main``) against the same database,
for a before/after comparison. The fresh processes write byte-code into a cache outside the
tree (``PYTHONPYCACHEPREFIX``), as the production image has it compiled. Figures go to stdout as
a Markdown table and to ``bench/results/provisioning_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = "saas_bench_scale"

#: What a fresh process runs: ``probe.py <clone|provision> <kind> <slug>``; prints JSON.
PROBE = r"""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
import logging
logging.disable(logging.WARNING)
from django.db import transaction
from shared_apps.tenancy import schema_clone
planning = []
build = schema_clone.build_clone_plan
def timed_build(*args, **kwargs):
    started = time.perf_counter()
    try:
        return build(*args, **kwargs)
    finally:
        planning.append(time.perf_counter() - started)
schema_clone.build_clone_plan = timed_build
mode, kind, slug = sys.argv[1:4]
if mode == "clone":
    from shared_apps.tenancy.schema_clone import clone_schema
    from shared_apps.tenancy.templates import template_schema_name
    started = time.perf_counter()
    with transaction.atomic():
        clone_schema(template_schema_name(kind), slug)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
else:
    # The owner's e-mail is a task sent after commit: published to the broker as in production,
    # not run in this process (the memory broker stands in for Redis; nothing consumes it).
    from saas.celery import app
    app.conf.task_always_eager = False
    from shared_apps.tenancy.services import tenant_provision
    started = time.perf_counter()
    tenant_provision(kind=kind, slug=slug, name=slug, owner_email=f"owner@{slug}.test")
    elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "planning": sum(planning)}))
"""


def configure_database(name: str) -> str:
    """Point ``DATABASE_URL`` (or the embedded server) at database ``name``, creating it if needed.

    Returns the URL the fresh processes use (empty for the embedded server).
    """
    url = os.environ.get("DATABASE_URL", "")
    if url:
        base, _, _old = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/{name}"
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    else:
        os.environ["EMBEDDED_PG_DATABASE"] = name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    return os.environ.get("DATABASE_URL", "")


def drop_database(name: str) -> None:
    """Drop database ``name`` on ``DATABASE_URL``'s server (``--reset``)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("--reset needs DATABASE_URL (drop the embedded database's folder instead)")
    import psycopg

    base, _, _old = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_process_env(code: Path) -> dict[str, str]:
    """The environment of a fresh process running ``code``: byte-code cached outside the tree."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path("/tmp") / f"saas-bench-pycache-{code.name}")
    env["PYTHONPATH"] = str(code)
    return env


def schema_count() -> int:
    """Schemas in the database, system schemas excluded."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'")
        return int(cursor.fetchone()[0])


def catalog_size() -> dict[str, int]:
    """Rows of the catalogs the clone planner reads."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for table in ("pg_class", "pg_depend", "pg_attribute", "pg_constraint"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = int(cursor.fetchone()[0])
    return sizes


def fill(target: int, kinds: list[str]) -> None:
    """Clone filler schemas ``_fill_<n>`` from the templates until ``target`` schemas exist."""
    from django.db import connection, transaction

    from shared_apps.tenancy.schema_clone import clone_schema
    from shared_apps.tenancy.templates import template_schema_name

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '\\_fill\\_%'")
        n = int(cursor.fetchone()[0])
    missing = target - schema_count()
    started = time.perf_counter()
    for i in range(missing):
        # one clone per transaction: a clone takes a lock per relation, and the lock table is small
        with transaction.atomic():
            clone_schema(template_schema_name(kinds[(n + i) % len(kinds)]), f"_fill_{n + i:05d}")
        if (i + 1) % 250 == 0 or i + 1 == missing:
            elapsed = time.perf_counter() - started
            print(f"  filled {i + 1}/{missing} ({elapsed:.0f} s)", file=sys.stderr, flush=True)


def probe(code: Path, mode: str, kind: str, slug: str, timeout: float) -> dict[str, float] | None:
    """Run one fresh process; its measured ``seconds`` and, of those, ``planning`` (the clone
    planner's catalog queries), or ``None`` when it took over ``timeout``."""
    env = fresh_process_env(code)
    # The server gives up too: a killed client would leave its catalog query running.
    env["PGOPTIONS"] = f"-c statement_timeout={int(timeout * 1000)}"
    try:
        completed = subprocess.run(
            [sys.executable, "-c", PROBE, mode, kind, slug],
            cwd=code,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout + 30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if "statement timeout" in completed.stderr:
        return None
    if completed.returncode != 0:
        raise SystemExit(f"probe failed ({code}, {mode}):\n{completed.stderr[-3000:]}")
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"seconds": float(measured["seconds"]), "planning": float(measured["planning"])}


def drop_probe_tenants(prefix: str) -> None:
    """Drop the tenants the ``provision`` probes created."""
    from shared_apps.tenancy.models import Tenant
    from shared_apps.tenancy.services import tenant_drop

    for tenant in Tenant.objects.filter(schema_name__startswith=prefix):
        tenant_drop(tenant=tenant, confirm_slug=tenant.schema_name)


def summary(samples: list[dict[str, float] | None]) -> dict[str, object]:
    """p50 and max of the samples' seconds, p50 of their planning; a timed-out sample counts as
    infinitely slow."""
    done = [sample for sample in samples if sample is not None]
    timed_out = len(samples) - len(done)
    ordered = sorted(sample["seconds"] for sample in done) + [float("inf")] * timed_out
    planning = sorted(sample["planning"] for sample in done) + [float("inf")] * timed_out
    return {
        "n": len(samples),
        "timed_out": timed_out,
        "p50_s": statistics.median(ordered) if ordered else None,
        "max_s": ordered[-1] if ordered else None,
        "planning_p50_s": statistics.median(planning) if planning else None,
        "samples": done,
    }


def seconds(value: object, timeout: float) -> str:
    """A figure for the table: ``0.123 s``, or ``> timeout`` for a run that did not finish."""
    if value is None or value == float("inf"):
        return f"> {timeout:.0f} s"
    return f"{float(str(value)):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1000,5000", help="schema counts to measure at, ascending")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per scale and measurement")
    parser.add_argument(
        "--code",
        action="append",
        type=Path,
        default=None,
        help="checkout(s) whose code the fresh processes run (default: this one); repeat to compare",
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a fresh process is given up")
    parser.add_argument("--database", default=DATABASE, help="the bench's own database")
    parser.add_argument("--reset", action="store_true", help="drop the bench database first")
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(","))
    codes = [c.resolve() for c in (args.code or [ROOT])]

    if args.reset:
        configure_database("postgres")
        drop_database(args.database)
    configure_database(args.database)
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command

    from saas.db.tenant import tenant_connection
    from shared_apps.tenancy.models import TenantKind
    from shared_apps.tenancy.templates import ensure_template

    call_command("migrate_schemas", shared=True, verbosity=0)
    kinds = list(TenantKind.values)
    for kind in kinds:
        ensure_template(kind)

    results: dict[str, object] = {"server_version": tenant_connection().pg_version, "scales": []}
    rows = []
    for scale in scales:
        print(f"scale {scale}: filling the catalog", file=sys.stderr, flush=True)
        fill(scale, kinds)
        sizes = catalog_size()
        point: dict[str, object] = {"schemas": schema_count(), "catalog": sizes, "codes": {}}
        for code in codes:
            probe(code, "clone", kinds[0], "_bench_warmup", args.timeout)  # compiles the byte-code
            measured = {}
            for mode in ("clone", "provision"):
                samples = []
                for run in range(args.runs):
                    kind = kinds[run % len(kinds)]
                    samples.append(probe(code, mode, kind, f"scale-probe-{run}", args.timeout))
                    last = samples[-1]
                    shown = (
                        "timed out" if last is None else f"{last['seconds']:.3f} s (planning {last['planning']:.3f} s)"
                    )
                    print(f"  {code.name} {mode} #{run + 1}: {shown}", file=sys.stderr, flush=True)
                    drop_probe_tenants("scale-probe-")
                measured[mode] = summary(samples)
            point["codes"][str(code)] = measured  # type: ignore[index]
            for mode, label in (("clone", "first clone"), ("provision", "first provisioning")):
                s = measured[mode]
                rows.append(
                    f"| {point['schemas']} | {sizes['pg_class']:,} | {code.name} | {label} | {s['n']} | "
                    f"{seconds(s['p50_s'], args.timeout)} | {seconds(s['max_s'], args.timeout)} | "
                    f"{seconds(s['planning_p50_s'], args.timeout)} |"
                )
        results["scales"].append(point)  # type: ignore[attr-defined]

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "provisioning_scale.json").write_text(json.dumps(results, indent=2))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"PostgreSQL {tenant_connection().pg_version}, {os.cpu_count()} CPUs (load average at the end {load}); a fresh "
        "process per run; the catalog is filled with clones of the four kinds' templates (filler schemas "
        "without tenant rows). 'planning' is the clone planner's catalog queries, the part that grows with "
        "the schemas; the rest is the clone's DDL and row copy."
    )
    print("| schemas | pg_class rows | code | measurement | runs | p50 | max | p50 of planning |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
