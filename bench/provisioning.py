"""Provisioning benchmark: cloning a per-kind template vs migrating a schema from scratch.

    .venv/bin/python bench/provisioning.py [--tenants 40] [--migrated 2]

Runs against its own database (``saas_bench``; with ``DATABASE_URL`` set, the same server with
that database name), which it resets first. Reports, per path, the time of each tenant creation:
the clone path is ``tenant_provision`` end to end (validation, tenant row, domain, schema clone,
roles, owner, activation; the owner without a password, as the superadmin API does it); the
migrate path is creating a schema and running every migration of the kind, which is what each
tenant would cost without templates. Figures go to stdout as a Markdown table and to
``bench/results/provisioning.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _configure_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        base, _, _name = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/saas_bench"
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'saas_bench'").fetchone():
                conn.execute("CREATE DATABASE saas_bench")
    else:
        os.environ["EMBEDDED_PG_DATABASE"] = "saas_bench"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas.settings.local")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    quarter = max(1, len(samples) // 4)
    return {
        "n": len(samples),
        "first_s": samples[0],
        "median_s": statistics.median(samples),
        "p95_s": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "max_s": ordered[-1],
        "first_quarter_mean_s": statistics.mean(samples[:quarter]),
        "last_quarter_mean_s": statistics.mean(samples[-quarter:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=40, help="tenants provisioned by cloning")
    parser.add_argument("--migrated", type=int, default=2, help="schemas per kind migrated from scratch")
    args = parser.parse_args()

    _configure_database()
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection
    from django_tenants.migration_executors.base import run_migrations
    from django_tenants.utils import quote_schema_name

    from saas.db.tenant import tenant_connection
    from shared_apps.tenancy.models import Tenant, TenantKind
    from shared_apps.tenancy.services import tenant_drop, tenant_provision
    from shared_apps.tenancy.templates import _migrate_options, ensure_template

    call_command("migrate_schemas", shared=True, verbosity=0)
    for tenant in Tenant.objects.exclude(schema_name="public"):
        tenant_drop(tenant=tenant, confirm_slug=tenant.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE '\\_bench\\_%' OR nspname LIKE '\\_template\\_%'"
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f"DROP SCHEMA {quote_schema_name(schema)} CASCADE")

    kinds = list(TenantKind.values)
    migrated: list[float] = []
    for kind in kinds:
        for i in range(args.migrated):
            schema = f"_bench_{kind}_{i}"
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema)}")
            run_migrations(
                args=[], options=_migrate_options(0), executor_codename="bench", schema_name=schema, tenant_type=kind
            )
            migrated.append(time.perf_counter() - started)

    for kind in kinds:  # templates exist before the clone path is timed, as after `make run`
        ensure_template(kind)

    cloned: list[float] = []
    for i in range(args.tenants):
        kind = kinds[i % len(kinds)]
        started = time.perf_counter()
        tenant_provision(kind=kind, slug=f"bench-{i:04d}", name=f"Bench {i}", owner_email=f"owner{i}@bench.test")
        cloned.append(time.perf_counter() - started)

    results = {
        "server_version": tenant_connection().pg_version,
        "database": "embedded" if not os.environ.get("DATABASE_URL") else "DATABASE_URL",
        "migrate_path": _summary(migrated),
        "clone_path": _summary(cloned),
        "clone_samples_s": cloned,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "provisioning.json").write_text(json.dumps(results, indent=2))

    print(
        f"PostgreSQL {tenant_connection().pg_version}, {args.tenants} tenants cloned, "
        f"{len(migrated)} schemas migrated from scratch"
    )
    print("| path | n | first | median | p95 | max | mean of first 25% | mean of last 25% |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("clone_path", "migrate_path"):
        s = results[name]
        print(
            f"| {name.replace('_', ' ')} | {s['n']} | {s['first_s']:.3f} s | {s['median_s']:.3f} s | "
            f"{s['p95_s']:.3f} s | {s['max_s']:.3f} s | {s['first_quarter_mean_s']:.3f} s | "
            f"{s['last_quarter_mean_s']:.3f} s |"
        )


if __name__ == "__main__":
    main()
