"""Migrations at scale: ``migrate_schemas`` over N tenants with nothing pending, and with one new
migration to apply everywhere.

    .venv/bin/python bench/migrations.py [--tenants 1000] [--code ROOT ...] [--reset]

Provisions N tenants (``tenant_provision``, round-robin over the kinds; kept between runs, so a
second run starts at once), then times ``manage.py migrate_schemas --tenant
--executor=multiprocessing --noinput`` as the migration Job runs it, each run a fresh process
(Django's start-up included), with each checkout given by ``--code`` (default: this one; e.g.
``git worktree add /tmp/base main`` for a before/after comparison):

* ``nothing pending``: every schema is up to date;
* ``one new migration``: a bench-only migration (``RunSQL`` creating a table) of the ``emails``
  app, which every kind has, applied to every tenant and template. It is generated into a
  temporary folder with a settings module that points ``MIGRATION_MODULES["emails"]`` at it:
  nothing is added to the app. Afterwards the bench removes its table and its record from every
  schema again;
* with this checkout's command also ``first run, no recorded state`` (every schema visited and
  its roles synced once, as after deploying the recorded-state change) and ``nothing pending
  after the new migration``.

Both checkouts run with the default of two processes (``TENANT_MULTIPROCESSING_MAX_PROCESSES``).
Runs against its own database (``saas_bench_migrations``, on ``DATABASE_URL``'s server or in the
embedded one); ``--reset`` drops it first. The fresh processes cache byte-code outside the tree
(``PYTHONPYCACHEPREFIX``), as the production image has it compiled. Figures go to stdout as a
Markdown table and to ``bench/results/migrations.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning_scale import configure_database, drop_database, fresh_process_env  # noqa: E402

DATABASE = "saas_bench_migrations"
PROBE_APP = "emails"
PROBE_MIGRATION = "0001_bench_probe"
PROBE_TABLE = "emails_bench_probe"


def write_probe_settings(folder: Path) -> str:
    """Write a settings module adding the probe migration; returns its dotted name."""
    package = folder / "bench_probe_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / f"{PROBE_MIGRATION}.py").write_text(
        textwrap.dedent(
            f'''
            """Bench-only: one new migration for every tenant schema (bench/migrations.py)."""
            from django.db import migrations


            class Migration(migrations.Migration):
                operations = [
                    migrations.RunSQL("CREATE TABLE {PROBE_TABLE} (id bigint)", "DROP TABLE {PROBE_TABLE}"),
                ]
            '''
        )
    )
    (folder / "bench_probe_settings.py").write_text(
        textwrap.dedent(
            f"""
            import os
            from importlib import import_module

            globals().update(vars(import_module(os.environ["BENCH_BASE_SETTINGS"])))
            MIGRATION_MODULES = {{"{PROBE_APP}": "bench_probe_migrations"}}
            """
        )
    )
    return "bench_probe_settings"


def provision(count: int) -> None:
    """Provision tenants ``mb-<n>`` until ``count`` exist (their owners' e-mail tasks are not run)."""
    from saas.celery import app
    from shared_apps.tenancy.models import Tenant, TenantKind
    from shared_apps.tenancy.services import tenant_provision

    app.conf.task_always_eager = False  # the memory broker keeps the owner e-mails; nothing sends them
    kinds = list(TenantKind.values)
    existing = Tenant.objects.filter(schema_name__startswith="mb-").count()
    started = time.perf_counter()
    for i in range(existing, count):
        tenant_provision(kind=kinds[i % len(kinds)], slug=f"mb-{i:05d}", name=f"Bench {i}", owner_email=f"o{i}@mb.test")
        if (i + 1) % 100 == 0 or i + 1 == count:
            print(f"  provisioned {i + 1}/{count} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


def schemas() -> list[str]:
    """Every tenant and template schema."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'mb-%%' OR nspname LIKE '\\_template\\_%%' ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def remove_probe() -> None:
    """Take the probe migration's table and record out of every schema again."""
    from django.db import connection
    from django_tenants.utils import quote_schema_name

    with connection.cursor() as cursor:
        for schema in schemas():
            q = quote_schema_name(schema)
            cursor.execute(f"DROP TABLE IF EXISTS {q}.{PROBE_TABLE}")
            cursor.execute(
                f"DELETE FROM {q}.django_migrations WHERE app = %s AND name = %s", [PROBE_APP, PROBE_MIGRATION]
            )


def saved_states() -> list[dict[str, object]]:
    """Every recorded schema state (this checkout's model)."""
    from shared_apps.tenancy.models import SchemaState

    return [dict(row) for row in SchemaState.objects.values()]


def restore_states(saved: list[dict[str, object]]) -> None:
    """Put back the states ``saved_states`` returned."""
    from shared_apps.tenancy.models import SchemaState

    SchemaState.objects.all().delete()
    SchemaState.objects.bulk_create([SchemaState(**row) for row in saved])  # type: ignore[arg-type]


def forget_states() -> None:
    """Drop every recorded schema state (this checkout's model), as before the change was deployed."""
    from shared_apps.tenancy.models import SchemaState

    SchemaState.objects.all().delete()


def migrate(code: Path, *, settings_module: str | None, extra_path: Path | None) -> dict[str, object]:
    """Run ``migrate_schemas --tenant`` as the Job does, in a fresh process; its wall time and tail."""
    env = fresh_process_env(code)
    if settings_module:
        env["BENCH_BASE_SETTINGS"] = env.get("DJANGO_SETTINGS_MODULE", "saas.settings.local")
        env["DJANGO_SETTINGS_MODULE"] = settings_module
        env["PYTHONPATH"] = f"{extra_path}{os.pathsep}{env['PYTHONPATH']}"
    # Untimed: compile the byte-code of everything the command imports, migrations included.
    subprocess.run([sys.executable, "manage.py", "showmigrations"], cwd=code, env=env, capture_output=True, check=True)
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--tenant", "--executor=multiprocessing", "--noinput"],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"migrate_schemas failed ({code}):\n{completed.stdout[-2000:]}\n{completed.stderr[-3000:]}")
    done = [line for line in completed.stdout.splitlines() if line.startswith("Done in ")]
    own = float(done[-1].split()[2]) if done else None
    return {"seconds": seconds, "command_seconds": own, "summary": done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000, help="tenants to provision")
    parser.add_argument(
        "--code", action="append", type=Path, default=None, help="checkout(s) to time (default: this one)"
    )
    parser.add_argument("--database", default=DATABASE, help="the bench's own database")
    parser.add_argument("--reset", action="store_true", help="drop the bench database first")
    args = parser.parse_args()
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
    for kind in TenantKind.values:
        ensure_template(kind)
    provision(args.tenants)
    count = len(schemas())
    remove_probe()  # a run interrupted earlier may have left it behind

    rows: list[tuple[str, str, dict[str, object]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-migrations-") as folder:
        probe_settings = write_probe_settings(Path(folder))
        for code in codes:
            this = code == ROOT
            saved: list[dict[str, object]] = []
            steps: list[tuple[str, str | None]] = []
            if this:
                forget_states()
                steps.append(("first run, no recorded state", None))
            steps += [("nothing pending", None), ("one new migration", probe_settings)]
            if this:
                steps.append(("nothing pending after the new migration", probe_settings))
            for label, settings_module in steps:
                print(f"{code.name}: {label}", file=sys.stderr, flush=True)
                result = migrate(code, settings_module=settings_module, extra_path=Path(folder))
                print(f"  {result['seconds']:.1f} s {result['summary']}", file=sys.stderr, flush=True)
                rows.append((code.name, label, result))
                if this and label == "nothing pending":
                    saved = saved_states()
            remove_probe()
            if this:  # the schemas are as before the probe again, and so are their states
                restore_states(saved)

    results = {
        "server_version": tenant_connection().pg_version,
        "schemas": count,
        "runs": [{"code": c, "run": label, **result} for c, label, result in rows],
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "migrations.json").write_text(json.dumps(results, indent=2))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"PostgreSQL {tenant_connection().pg_version}, {os.cpu_count()} CPUs (load average at the end {load}); "
        f"{count} schemas ({args.tenants} tenants and the templates); `migrate_schemas --tenant "
        "--executor=multiprocessing` (2 processes) in a fresh process, start-up included"
    )
    print('The command\'s own time is what it reports itself ("Done in"), without Python and Django start-up.')
    print("| code | run | wall time | per schema | command's own time |")
    print("|---|---|---|---|---|")
    for name, label, result in rows:
        seconds = float(str(result["seconds"]))
        own = result["command_seconds"]
        shown = f"{float(str(own)):.1f} s" if own is not None else "(not reported)"
        print(f"| {name} | {label} | {seconds:.1f} s | {1000 * seconds / count:.1f} ms | {shown} |")


if __name__ == "__main__":
    main()
