"""A tenant schema cloned from its kind's template is identical to the migrated template."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from saas.db.tenant import tenant_connection
from saas.settings.embedded_db import embedded_bin_dir
from shared_apps.tenancy.models import Tenant
from shared_apps.tenancy.schema_clone import SchemaCloneError, clone_schema
from shared_apps.tenancy.templates import template_schema_name


def _pg_dump() -> str:
    """pg_dump at least as new as the server (newer pg_dump reads older servers)."""
    server_major = tenant_connection().pg_version // 10000
    candidates = []
    if bin_dir := embedded_bin_dir():
        candidates.append(str(Path(bin_dir) / "pg_dump"))
    candidates += [f"/usr/lib/postgresql/{v}/bin/pg_dump" for v in range(server_major, server_major + 5)]
    candidates.append(shutil.which("pg_dump") or "")
    for path in candidates:
        if path and Path(path).exists():
            version = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
            major = re.search(r"(\d+)", version.split(")")[-1])
            assert major, version
            if int(major.group(1)) >= server_major:
                return path
    pytest.fail("no pg_dump matching the server version is installed")


def _without_attver(line: str) -> str:
    line = re.sub(r"pg_attver=\d+,?\s*", "", line)
    return line.replace(", )", ")")


def _schema_dump(schema: str) -> str:
    settings = connection.settings_dict
    cmd = [
        _pg_dump(),
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        f"--schema={schema}",
        "--dbname",
        settings["NAME"],
        "--username",
        settings["USER"] or "postgres",
    ]
    if settings["HOST"]:
        cmd += ["--host", settings["HOST"]]
    if settings["PORT"]:
        cmd += ["--port", str(settings["PORT"])]
    env = {"PGPASSWORD": settings["PASSWORD"] or ""}
    dump = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    # drop comments and session settings; make the schema name neutral
    lines = [line for line in dump.splitlines() if line and not line.startswith(("--", "SET ", "SELECT pg_catalog"))]
    # Some PostgreSQL builds (this project's CI machines among them) stamp every column with a
    # server-managed option `pg_attver=<counter>` that differs per created column and cannot be
    # set; it is not part of the schema's design, so it is left out of the comparison. Other
    # column options (n_distinct, ...) still count.
    lines = [_without_attver(line) for line in lines]
    lines = [line for line in lines if not line.endswith(" SET ();")]
    return (
        "\n".join(lines)
        .replace(f'"{schema}"', "SCHEMA")
        .replace(f"{schema}.", "SCHEMA.")
        .replace(f"SCHEMA {schema};", "SCHEMA SCHEMA;")
    )


@pytest.mark.parametrize(("tenant", "kind"), [("alpha", "school"), ("gamma", "store")])
def test_cloned_schema_is_identical_to_migrated_template(
    session_tenants: dict[str, Tenant], tenant: str, kind: str
) -> None:
    # session tenants are committed, so pg_dump (another connection) sees them
    template_dump = _schema_dump(template_schema_name(kind))
    clone_dump = _schema_dump(tenant)
    assert "CREATE TABLE SCHEMA.accounts_user" in clone_dump
    assert clone_dump == template_dump


def test_clone_copies_migration_history_so_no_migration_is_pending(alpha: Tenant) -> None:
    from django.db.migrations.executor import MigrationExecutor

    tenant_connection().set_tenant(alpha, include_public=False)
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


def test_clone_refuses_an_existing_target(session_tenants: dict[str, Tenant], db: None) -> None:
    with pytest.raises(SchemaCloneError, match="already exists"):
        clone_schema(template_schema_name("school"), "alpha")


def test_clone_refuses_objects_it_cannot_copy(session_tenants: dict[str, Tenant], db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "odd"; CREATE TABLE "odd".t (id int); CREATE VIEW "odd".v AS SELECT 1 AS x')
    with pytest.raises(SchemaCloneError, match="relation v"):
        clone_schema("odd", "odd_copy")


@pytest.mark.parametrize("kind", ["school", "store", "writing", "rental"])
def test_the_planner_finds_every_table_and_sequence_of_a_template_through_pg_depend(
    session_tenants: dict[str, Tenant], db: None, kind: str
) -> None:
    # The planner reaches a template's relations through their dependency on the schema (an
    # index lookup), not by scanning pg_class for the namespace (no index; grows with every schema).
    from shared_apps.tenancy.schema_clone import _MEMBERS_SQL

    schema = template_schema_name(kind)
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [schema])
        ns = cursor.fetchone()[0]
        cursor.execute(_MEMBERS_SQL, {"ns": ns})
        found = sorted((relname, relkind) for is_relation, _oid, relname, relkind, _d in cursor.fetchall())
        cursor.execute("SELECT relname, relkind FROM pg_class WHERE relnamespace = %s AND relkind IN ('r', 'S')", [ns])
        scanned = sorted(cursor.fetchall())
    assert found == scanned
    assert ("django_migrations", "r") in found


def test_clone_names_every_object_it_cannot_copy(session_tenants: dict[str, Tenant], db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE SCHEMA "odd"; CREATE TABLE "odd".t (id int);'
            ' CREATE SEQUENCE "odd".free_seq;'
            " CREATE TYPE \"odd\".mood AS ENUM ('ok');"
            ' CREATE FUNCTION "odd".f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;'
            ' CREATE TRIGGER on_t BEFORE INSERT ON "odd".t FOR EACH ROW EXECUTE FUNCTION "odd".f()'
        )
    with pytest.raises(SchemaCloneError) as raised:
        clone_schema("odd", "odd_copy")
    message = str(raised.value)
    for part in ("function odd.f()", "type odd.mood", "sequence free_seq", "trigger on_t"):
        assert part in message
