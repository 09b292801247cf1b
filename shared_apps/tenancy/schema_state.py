"""Which schemas ``migrate_schemas`` can skip: fingerprints recorded per schema, verified cheaply.

Migrating a schema that has nothing pending still costs a migration-history check and, after it,
a re-sync of content types, permissions and roles: a fraction of a second per schema, minutes
for thousands. Instead, after migrating a schema ``migrate_schemas`` records a ``SchemaState``
row (public schema):

* ``migrations``: the fingerprint of the kind's migrations (``migrations_fingerprint``), a hash
  of the names of every migration of the kind's apps as found on disk;
* ``applied_count`` / ``applied_max_id``: ``count(*)`` and ``max(id)`` of the schema's
  ``django_migrations`` right after, so that a change made behind the command's back (a
  ``migrate`` run by hand, a restored dump, a deleted row) shows;
* ``roles``: ``tenant_apps.accounts.roles.roles_fingerprint(kind)``, the kind's role declaration
  and every model with its permissions, as synced.

The next run compares (``plan_schemas``): the recorded fingerprints with today's (code only, no
query), and the recorded counters with the schemas' ``django_migrations`` (``applied_counters``:
one ``UNION ALL`` query per few hundred schemas). A schema where everything matches is skipped
without loading Django's migration graph; one whose migrations fingerprint or counters differ is
migrated (Django's ``migrate`` then decides what is really pending); one whose roles fingerprint
differs gets ``sync_roles``. Nothing recorded (a schema from before this existed, a state row
deleted) means both.

The migrations fingerprint covers only the kind's own apps (``settings.TENANT_TYPES``): a new
migration of another kind's app, or of a public-schema app, changes nothing in this kind's
schemas (the router skips its operations), so those schemas are not visited for it. Django
records such migrations as applied whenever it does migrate the schema for another reason.
"""

from __future__ import annotations

import hashlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import quote_schema_name

from shared_apps.tenancy.models import SchemaState

#: Schemas whose ``django_migrations`` one query reads (each costs a lock until the query ends).
COUNTERS_BATCH = 250


@dataclass(frozen=True)
class Fingerprints:
    """Today's fingerprints of one kind: what a schema of that kind is migrated and synced to."""

    migrations: str
    roles: str


@dataclass(frozen=True)
class SchemaWork:
    """What one schema needs: a migration run, a role sync, or both (never neither)."""

    schema_name: str
    kind: str
    migrate: bool
    sync_roles: bool
    reason: str


def kind_app_labels(kind: str) -> list[str]:
    """The labels of the apps whose tables a ``kind`` schema holds (``settings.TENANT_TYPES``)."""
    names = set(settings.TENANT_TYPES[kind]["APPS"])
    return [config.label for config in apps.get_app_configs() if config.name in names]


def migrations_fingerprint(kind: str) -> str:
    """A hash of the names of every migration of ``kind``'s apps, as Django's loader finds them.

    Lists the migration packages (``MIGRATION_MODULES`` honoured) without importing a single
    migration: cheap enough for every provisioning in a fresh process. Any migration added,
    removed or renamed in one of the kind's apps changes it.
    """
    names = []
    for label in sorted(kind_app_labels(kind)):
        module_name, _explicit = MigrationLoader.migrations_module(label)
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:
            continue
        if not hasattr(module, "__path__"):
            continue
        names += [
            f"{label}.{name}"
            for _, name, is_pkg in pkgutil.iter_modules(module.__path__)
            if not is_pkg and name[0] not in "_~"
        ]
    return hashlib.sha256("\n".join([f"kind {kind}", *sorted(names)]).encode()).hexdigest()


def fingerprints(kind: str) -> Fingerprints:
    """Today's fingerprints of ``kind`` (computed from the code, no query)."""
    from tenant_apps.accounts.roles import roles_fingerprint

    return Fingerprints(migrations=migrations_fingerprint(kind), roles=roles_fingerprint(kind))


def applied_counters(schema_names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """``{schema: (count(*), max(id))}`` of each schema's ``django_migrations``.

    Schemas without that table (or missing altogether) are left out. One catalog query, then one
    ``UNION ALL`` query per ``COUNTERS_BATCH`` schemas; the public schema is not needed.
    """
    wanted = list(dict.fromkeys(schema_names))
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n"
            " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = 'django_migrations' AND c.relkind = 'r'"
            " WHERE n.nspname = ANY(%s)",
            [wanted],
        )
        present = {row[0] for row in cursor.fetchall()}
        ordered = [name for name in wanted if name in present]
        counters: dict[str, tuple[int, int]] = {}
        for start in range(0, len(ordered), COUNTERS_BATCH):
            batch = ordered[start : start + COUNTERS_BATCH]
            sql = " UNION ALL ".join(
                f"SELECT %s, count(*), coalesce(max(id), 0) FROM {quote_schema_name(name)}.django_migrations"
                for name in batch
            )
            cursor.execute(sql, batch)
            counters.update({name: (int(count), int(last)) for name, count, last in cursor.fetchall()})
    return counters


def plan_schemas(
    schemas: Iterable[tuple[str, str]], targets: dict[str, Fingerprints], *, force: bool = False
) -> list[SchemaWork]:
    """What each of ``schemas`` (``(schema_name, kind)``, in order) needs; current ones are left out.

    ``targets`` holds today's ``Fingerprints`` per kind; ``force`` migrates every schema (and
    re-syncs the roles of those whose fingerprint differs) whatever its recorded state says.
    Costs two queries per few hundred schemas, whatever their number.
    """
    schemas = list(schemas)
    states = {s.schema_name: s for s in SchemaState.objects.filter(schema_name__in=[name for name, _ in schemas])}
    counters = applied_counters(name for name, _ in schemas if name in states)
    work = []
    for name, kind in schemas:
        target = targets[kind]
        state = states.get(name)
        if state is None or state.kind != kind:
            work.append(SchemaWork(name, kind, migrate=True, sync_roles=True, reason="no recorded state"))
            continue
        sync = state.roles != target.roles
        if force:
            reason = "forced"
        elif state.migrations != target.migrations:
            reason = "new migrations"
        elif counters.get(name) != (state.applied_count, state.applied_max_id):
            reason = "migration history changed since recorded"
        elif sync:
            work.append(SchemaWork(name, kind, migrate=False, sync_roles=True, reason="roles or models changed"))
            continue
        else:
            continue
        work.append(SchemaWork(name, kind, migrate=True, sync_roles=sync, reason=reason))
    return work


def record_state(schema_name: str, kind: str, target: Fingerprints) -> None:
    """Record that ``schema_name`` is migrated and synced to ``target`` (reads its counters now)."""
    count, last = applied_counters([schema_name]).get(schema_name, (0, 0))
    SchemaState.objects.update_or_create(
        schema_name=schema_name,
        defaults={
            "kind": kind,
            "migrations": target.migrations,
            "applied_count": count,
            "applied_max_id": last,
            "roles": target.roles,
        },
    )


def forget_states(schema_names: Iterable[str]) -> None:
    """Drop the recorded state of these schemas: the next run migrates and syncs them in full."""
    SchemaState.objects.filter(schema_name__in=list(schema_names)).delete()


def copy_state(source: str, target: str) -> None:
    """Give ``target`` (a fresh clone of ``source``) ``source``'s recorded state, if it has one.

    The clone copies ``django_migrations`` with its ids, so the counters match as recorded.
    """
    state = SchemaState.objects.filter(schema_name=source).first()
    if state is not None:
        SchemaState.objects.update_or_create(
            schema_name=target,
            defaults={
                "kind": state.kind,
                "migrations": state.migrations,
                "applied_count": state.applied_count,
                "applied_max_id": state.applied_max_id,
                "roles": state.roles,
            },
        )


def forget_missing_schemas() -> int:
    """Delete the states of schemas that no longer exist (one statement); returns how many."""
    table = connection.ops.quote_name(SchemaState._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE schema_name NOT IN (SELECT nspname FROM pg_namespace)")
        return int(cursor.rowcount)
