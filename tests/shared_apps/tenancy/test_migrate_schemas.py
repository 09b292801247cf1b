"""``migrate_schemas`` at scale: current schemas are skipped, pending ones migrated (in parallel),
roles re-synced only where they changed, and a failing schema neither stops the others nor
survives a re-run.

These tests run the command for real against the session's committed schemas (``alpha``,
``beta``: school; ``gamma``: store; the four templates), on a helper thread with its own
connection outside the test's transaction (``tests.concurrency.in_thread``: the command commits
and forks), and put everything back afterwards. A new migration is a throwaway copy of an app's migrations package
plus one probe migration, in a temporary folder that ``MIGRATION_MODULES`` points at: nothing
is added to the app itself.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.migration_runner import Progress
from shared_apps.tenancy.models import SchemaState, Tenant
from shared_apps.tenancy.schema_state import plan_schemas
from tenant_apps import kinds as kinds_module
from tenant_apps.accounts import roles as roles_module
from tests.concurrency import in_thread

_probe_ids = itertools.count()


def _all_schemas() -> list[tuple[str, str]]:
    from shared_apps.tenancy.templates import existing_templates

    tenants = Tenant.objects.exclude(schema_name="public").values_list("schema_name", "kind")
    return [*existing_templates(), *tenants]


def _applied(schema: str, app: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name])
        return cursor.fetchone() is not None


def committed(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` on a helper thread with its own autocommit connection, on the public schema."""

    def run() -> Any:
        tenant_connection().set_schema_to_public()
        return fn()

    return in_thread(run, timeout=900)


@pytest.fixture
def schemas_restored(session_tenants: dict[str, Any], db: None) -> Iterator[dict[str, Any]]:
    """Every schema current before the test; the recorded states as they were after it."""
    committed(lambda: call_command("migrate_schemas", tenant=True, executor="standard", verbosity=0))
    saved = committed(lambda: list(SchemaState.objects.values()))
    yield session_tenants

    def restore() -> None:
        SchemaState.objects.all().delete()
        SchemaState.objects.bulk_create([SchemaState(**row) for row in saved])

    committed(restore)


@pytest.fixture
def probe_migration(
    schemas_restored: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[Any]:
    """``add(app_label)``: a new migration of that app (``9999_probe``, returned), creating table
    ``<app>_probe`` and failing in the schemas the environment variable ``PROBE_FAIL`` names.
    Undone afterwards in every schema: table, record, module."""
    added: list[tuple[str, str, str]] = []

    def add(app_label: str) -> str:
        config = apps.get_app_config(app_label)
        package = f"probe_{app_label}_{next(_probe_ids)}_{id(tmp_path)}"
        shutil.copytree(Path(config.path) / "migrations", tmp_path / package, ignore=shutil.ignore_patterns("__py*"))
        existing = sorted(p.stem for p in (tmp_path / package).glob("[0-9]*.py"))
        name = "9999_probe"
        dependencies = [(app_label, existing[-1])] if existing else []
        (tmp_path / package / f"{name}.py").write_text(
            textwrap.dedent(
                f"""
                import os
                from django.db import migrations

                def forwards(apps, schema_editor):
                    schema = schema_editor.connection.schema_name
                    if schema in os.environ.get("PROBE_FAIL", "").split(","):
                        raise RuntimeError(f"probe failure in {{schema}}")

                class Migration(migrations.Migration):
                    dependencies = {dependencies!r}
                    operations = [
                        migrations.RunSQL("CREATE TABLE {app_label}_probe (id int)", "DROP TABLE {app_label}_probe"),
                        migrations.RunPython(forwards, migrations.RunPython.noop),
                    ]
                """
            )
        )
        monkeypatch.syspath_prepend(str(tmp_path))
        settings.MIGRATION_MODULES = {**settings.MIGRATION_MODULES, app_label: package}
        added.append((app_label, package, name))
        return name

    yield add

    def undo() -> None:
        with connection.cursor() as cursor:
            for (schema, _kind), (app_label, _package, name) in itertools.product(_all_schemas(), added):
                cursor.execute(f'DROP TABLE IF EXISTS "{schema}".{app_label}_probe')
                cursor.execute(
                    f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app_label, name]
                )

    committed(undo)
    for _app_label, package, _name in added:
        for module in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[module]


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Records, per schema, each Django ``migrate`` and each ``sync_roles`` the command runs here."""
    from django.core.management.commands import migrate

    calls: dict[str, list[str]] = {"migrate": [], "sync_roles": []}
    real_handle, real_sync = migrate.Command.handle, roles_module.sync_roles

    def handle(self: Any, *args: Any, **options: Any) -> Any:
        calls["migrate"].append(tenant_connection().schema_name)
        return real_handle(self, *args, **options)

    def sync_roles(kind: str) -> Any:
        calls["sync_roles"].append(tenant_connection().schema_name)
        return real_sync(kind)

    monkeypatch.setattr(migrate.Command, "handle", handle)
    monkeypatch.setattr(roles_module, "sync_roles", sync_roles)
    return calls


def _migrate(**options: Any) -> str:
    """``migrate_schemas --tenant`` (one process unless told otherwise) on a helper thread; its stdout."""
    out = io.StringIO()
    options.setdefault("executor", "standard")
    options.setdefault("stderr", io.StringIO())
    committed(lambda: call_command("migrate_schemas", tenant=True, verbosity=1, stdout=out, **options))
    return out.getvalue()


def _applied_in(schema: str, app: str, name: str) -> bool:
    return bool(committed(lambda: _applied(schema, app, name)))


def _all_schemas_committed() -> list[tuple[str, str]]:
    return list(committed(_all_schemas))


def _targets() -> dict[str, Any]:
    from shared_apps.tenancy.schema_state import fingerprints

    return {kind: fingerprints(kind) for kind in {k for _, k in _all_schemas_committed()}}


def _queries_of_a_run() -> tuple[str, list[str]]:
    out = io.StringIO()

    def run() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            call_command("migrate_schemas", tenant=True, executor="standard", verbosity=1, stdout=out)
        return [q["sql"] for q in queries]

    queries = committed(run)
    return out.getvalue(), queries


def test_a_run_with_nothing_pending_skips_every_schema(
    schemas_restored: dict[str, Any], spy: dict[str, list[str]]
) -> None:
    # given: every schema is current (the fixture ran the command once)
    schemas = _all_schemas_committed()
    # when
    out, queries = _queries_of_a_run()
    # then: no migration ran and no role was synced anywhere, in a handful of queries in all
    assert spy == {"migrate": [], "sync_roles": []}
    assert "4 template schemas: 0 to do, 4 current (skipped)" in out
    assert f"{len(schemas) - 4} tenant schemas: 0 to do, {len(schemas) - 4} current (skipped)" in out
    assert f"{len(schemas)} skipped as current, 0 visited" in out
    assert len(queries) <= 10, "\n".join(queries)


def test_the_no_op_check_costs_as_many_queries_with_more_schemas(schemas_restored: dict[str, Any]) -> None:
    from shared_apps.tenancy.services import tenant_drop, tenant_provision

    # given: what a run costs with the session's schemas
    _out, few = _queries_of_a_run()
    # when a tenant is added
    tenant = committed(lambda: tenant_provision(kind="rental", slug="extra", name="Extra", owner_email="o@x.test"))
    try:
        out, more = _queries_of_a_run()
    finally:
        committed(lambda: tenant_drop(tenant=tenant, confirm_slug="extra"))
    # then: it is skipped (its state was copied from its template) and the queries are as many
    assert "tenant schemas: 0 to do" in out
    assert len(more) == len(few)
    # and dropping the tenant dropped its state
    assert not committed(lambda: SchemaState.objects.filter(schema_name="extra").exists())


def test_a_full_run_forgets_the_states_of_schemas_that_are_gone(schemas_restored: dict[str, Any]) -> None:
    fields = {"kind": "school", "migrations": "x", "applied_count": 1, "applied_max_id": 1, "roles": "x"}
    committed(lambda: SchemaState.objects.create(schema_name="gone", **fields))
    _migrate()
    assert not committed(lambda: SchemaState.objects.filter(schema_name="gone").exists())


def test_a_new_migration_is_applied_only_where_it_is_pending(
    probe_migration: Callable[[str], str], spy: dict[str, list[str]]
) -> None:
    # given: a new migration of a school app, already applied in alpha by hand
    name = probe_migration("programs")
    _migrate(schema_name="alpha")
    spy["migrate"].clear()
    # when
    out = _migrate()
    # then: the other school schemas are migrated, nothing else is visited
    assert sorted(spy["migrate"]) == ["_template_school", "beta"]
    assert spy["sync_roles"] == []  # no model and no role changed
    for schema in ("alpha", "beta", "_template_school"):
        assert _applied_in(schema, "programs", name)
    assert not _applied_in("gamma", "programs", name)
    assert "[school:beta] applied programs.9999_probe (new migrations" in out
    # and the next run has nothing to do
    spy["migrate"].clear()
    _migrate()
    assert spy["migrate"] == []


def test_a_new_migration_of_a_shared_app_runs_in_parallel_processes(probe_migration: Callable[[str], str]) -> None:
    # given: a new migration of an app every kind has
    name = probe_migration("audit")
    err = io.StringIO()
    # when: two worker processes
    _migrate(executor="multiprocessing", parallel=2, stderr=err)
    # then: applied in every schema, with progress reported on stderr, and recorded as current
    schemas = _all_schemas_committed()
    for schema, _kind in schemas:
        assert _applied_in(schema, "audit", name), schema
    tenants = len(schemas) - 4
    assert f"{tenants}/{tenants} schemas (100%)" in err.getvalue()
    targets = _targets()
    assert committed(lambda: plan_schemas(schemas, targets)) == []


def test_roles_are_synced_only_where_the_kinds_role_declaration_changed(
    schemas_restored: dict[str, Any], spy: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def seller_permissions() -> list[str]:
        with schema_context("gamma"):
            return list(Group.objects.get(name="seller").permissions.values_list("codename", flat=True))

    # given: store's "seller" role gains a permission in kind.py
    original = kinds_module._registry
    registry = dict(kinds_module.all_kinds())
    store = registry["store"]
    seller = dataclasses.replace(store.roles[1], permissions=("tickets.view_ticket",))
    registry["store"] = dataclasses.replace(store, roles=(store.roles[0], seller, *store.roles[2:]))
    monkeypatch.setattr(kinds_module, "_registry", lambda: registry)
    try:
        # when
        _migrate()
        # then: only the store schemas had their roles synced, and no migration ran
        assert spy["migrate"] == []
        assert sorted(spy["sync_roles"]) == ["_template_store", "delta", "gamma"]
        assert committed(seller_permissions) == ["view_ticket"]
    finally:
        # and back: the declaration as it is, synced again
        monkeypatch.setattr(kinds_module, "_registry", original)
        _migrate()
    assert committed(seller_permissions) == []


def test_a_failing_schema_does_not_stop_the_others_and_a_rerun_completes_it(
    probe_migration: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a new migration that fails in beta
    name = probe_migration("audit")
    monkeypatch.setenv("PROBE_FAIL", "beta")
    err = io.StringIO()
    # when
    with pytest.raises(CommandError, match=r"1 schema\(s\) failed: beta\."):
        _migrate(executor="multiprocessing", stderr=err)
    # then: beta is named with its error; every other schema is migrated
    assert "[school:beta] FAILED" in err.getvalue()
    assert "RuntimeError: probe failure in beta" in err.getvalue()
    assert not _applied_in("beta", "audit", name)
    others = [schema for schema, _ in _all_schemas_committed() if schema != "beta"]
    assert all(_applied_in(schema, "audit", name) for schema in others)
    # when the cause is fixed and the command runs again
    monkeypatch.delenv("PROBE_FAIL")
    out = _migrate()
    # then: only beta was left to do
    assert "tenant schemas: 1 to do" in out
    assert _applied_in("beta", "audit", name)


def test_a_schema_whose_migration_history_changed_is_migrated_again(
    schemas_restored: dict[str, Any], spy: dict[str, list[str]]
) -> None:
    # given: alpha's recorded state is gone, beta's history changed behind the command's back
    committed(lambda: SchemaState.objects.filter(schema_name="alpha").delete())
    committed(lambda: SchemaState.objects.filter(schema_name="beta").update(applied_count=0))
    # when
    out = _migrate()
    # then: both are migrated (nothing was really pending); alpha, with no state, is synced too
    assert sorted(spy["migrate"]) == ["alpha", "beta"]
    assert spy["sync_roles"] == ["alpha"]
    assert "[school:alpha] no migration to apply; roles synced (no recorded state" in out
    assert "[school:beta] no migration to apply (migration history changed since recorded" in out


def test_check_exits_non_zero_only_when_a_schema_has_unapplied_migrations(
    probe_migration: Callable[[str], str],
) -> None:
    _migrate(check_unapplied=True)  # nothing pending: no error
    probe_migration("programs")
    with pytest.raises(CommandError, match=r"3 schema\(s\) have unapplied migrations: "):
        _migrate(check_unapplied=True)


def test_schema_option_migrates_that_schema_even_when_current(
    schemas_restored: dict[str, Any], spy: dict[str, list[str]]
) -> None:
    _migrate(schema_name="gamma")
    assert spy["migrate"] == ["gamma"]


def test_shared_migrates_the_public_schema_only_and_verbosity_0_is_quiet(
    schemas_restored: dict[str, Any], spy: dict[str, list[str]]
) -> None:
    out, err = io.StringIO(), io.StringIO()
    committed(lambda: call_command("migrate_schemas", shared=True, verbosity=0, stdout=out, stderr=err))
    assert spy["migrate"] == ["public"]
    committed(lambda: call_command("migrate_schemas", tenant=True, verbosity=0, stdout=out, stderr=err))
    assert (out.getvalue(), err.getvalue()) == ("", "")


def test_a_template_can_be_migrated_by_name(schemas_restored: dict[str, Any], spy: dict[str, list[str]]) -> None:
    _migrate(schema_name="_template_rental")
    assert spy["migrate"] == ["_template_rental"]


def test_deferring_the_role_sync_mutes_exactly_three_receivers_and_restores_their_order() -> None:
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    from tenant_apps.accounts.signals import sync_roles_after_migrate

    before = list(post_migrate.receivers)
    muted = {create_contenttypes, create_permissions, sync_roles_after_migrate}

    def live() -> list[Any]:
        return [roles_module._receiver_of(entry) for entry in post_migrate.receivers]

    with roles_module.roles_sync_deferred():
        assert not muted & set(live())
        assert len(live()) == len(before) - 3
        with roles_module.roles_sync_deferred():  # e.g. two threads migrating two templates
            assert len(live()) == len(before) - 3
        assert not muted & set(live())  # the outer one still runs
    assert post_migrate.receivers == before


def test_progress_shows_done_total_failures_and_eta() -> None:
    stream = io.StringIO()
    progress = Progress(4, stream=stream, interval=0)
    progress.advance()
    progress.advance(failed=True)
    assert "2/4 schemas (50%), 1 failed," in stream.getvalue()
    assert "ETA" in stream.getvalue().splitlines()[-1]
    progress.advance()
    progress.advance()
    assert stream.getvalue().splitlines()[-1].startswith("4/4 schemas (100%), 1 failed")


def test_the_migration_table_is_looked_up_by_name_while_the_runner_migrates(
    session_tenants: dict[str, Tenant], db: None
) -> None:
    from django.db.migrations.recorder import MigrationRecorder

    from shared_apps.tenancy.migration_runner import _direct_table_check, _install_direct_table_check

    _install_direct_table_check()
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "bare"')
    token = _direct_table_check.set(True)
    try:
        with CaptureQueriesContext(connection) as queries:
            tenant_connection().set_schema("alpha", include_public=False)
            in_alpha = MigrationRecorder(connection).has_table()
            tenant_connection().set_schema("bare", include_public=False)
            in_bare = MigrationRecorder(connection).has_table()
    finally:
        _direct_table_check.reset(token)
    assert (in_alpha, in_bare) == (True, False)
    assert all("pg_table_is_visible" not in q["sql"] for q in queries)
    assert sum("to_regclass" in q["sql"] for q in queries) == 2


def test_run_schema_reports_an_error_instead_of_raising(schemas_restored: dict[str, Any]) -> None:
    from shared_apps.tenancy.migration_runner import Mode, RunSettings, run_schema
    from shared_apps.tenancy.schema_state import SchemaWork
    from shared_apps.tenancy.templates import _migrate_options

    work = SchemaWork("no_such_schema", "school", migrate=True, sync_roles=False, reason="test")
    run = RunSettings(args=(), options=_migrate_options(0), mode=Mode.MIGRATE, targets=_targets())
    outcome = committed(lambda: run_schema(work, run))
    assert not outcome.ok
    assert outcome.schema_name == "no_such_schema"
    assert outcome.error
