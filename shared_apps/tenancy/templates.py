"""Per-kind template schemas: migrated once, cloned for every new tenant of that kind.

``_template_<kind>`` holds the kind's tables, migration records, content types, permissions and
role groups. ``migrate_schemas`` brings each template up to date before the tenants
(``management/commands/migrate_schemas.py``); ``ensure_template`` creates a missing one and
migrates a stale one, so provisioning never clones an out-of-date structure. Whether a template
is current is read from its recorded ``SchemaState`` (``schema_state.py``), which its clones
inherit.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django_tenants.utils import quote_schema_name, schema_exists

from saas.db.tenant import use_public_schema
from shared_apps.tenancy.models import TenantKind

TEMPLATE_PREFIX = "_template_"

_current: set[str] = set()  # templates known to be fully migrated in this process


def template_schema_name(kind: str) -> str:
    """The template schema of ``kind``; slugs cannot start with "_", so it never names a tenant."""
    return f"{TEMPLATE_PREFIX}{TenantKind(kind).value}"


def existing_templates() -> list[tuple[str, str]]:
    """``(schema_name, kind)`` of every template schema that exists (one query)."""
    wanted = {template_schema_name(k): k for k in TenantKind.values}
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [list(wanted)])
        found = {row[0] for row in cursor.fetchall()}
    return [(name, kind) for name, kind in wanted.items() if name in found]


def migrate_template(kind: str, *, verbosity: int = 0) -> None:
    """Create (if missing) and migrate ``kind``'s template schema, sync its roles if they changed,
    and record its state. Raises the migration's error.

    Commits: must not run inside ``transaction.atomic()``. The caller holds ``template_lock``.
    """
    from shared_apps.tenancy.migration_runner import Mode, RunSettings, execute_schema
    from shared_apps.tenancy.schema_state import fingerprints, plan_schemas

    name = template_schema_name(kind)
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(name)}")
    targets = {kind: fingerprints(kind)}
    use_public_schema()
    for work in plan_schemas([(name, kind)], targets):
        run = RunSettings(args=(), options=_migrate_options(verbosity), mode=Mode.MIGRATE, targets=targets)
        execute_schema(work, run, out=sys.stdout if verbosity else io.StringIO())
    _current.add(kind)


def _migrate_options(verbosity: int) -> dict[str, object]:
    """Every option of ``migrate_schemas`` at its default, as django-tenants' executor expects."""
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
    options = vars(parser.parse_args([]))
    options.update(verbosity=verbosity, interactive=False)
    return options


def template_is_current(kind: str) -> bool:
    """Whether ``kind``'s template exists and its recorded state is current (``schema_state``):
    migrated to the kind's migrations on disk, ``django_migrations`` untouched since, roles synced.

    A few catalog queries; no migration is loaded.
    """
    from shared_apps.tenancy.schema_state import fingerprints, plan_schemas

    name = template_schema_name(kind)
    if not schema_exists(name):
        return False
    use_public_schema()
    return not plan_schemas([(name, kind)], {kind: fingerprints(kind)})


def ensure_template(kind: str, *, verbosity: int = 0) -> str:
    """Return ``kind``'s template schema name, creating or migrating it first when needed.

    The state check runs once per process and kind; the schema's existence is checked every
    time (one catalog query), since a template created inside a transaction that rolled back is
    gone.
    """
    name = template_schema_name(kind)
    if kind in _current and schema_exists(name):
        return name
    _current.discard(kind)
    if not template_is_current(kind):
        # Another process (the migration Job, another web pod) may be migrating it right now:
        # wait for it, then migrate only if it is still stale.
        with template_lock(kind):
            if not template_is_current(kind):
                migrate_template(kind, verbosity=verbosity)
    _current.add(kind)
    return name


@contextmanager
def template_lock(kind: str) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock for ``kind``'s template while the block runs.

    Serialises migrations of one template across processes. Released explicitly at the end; a
    failed migration closes the connection (``migration_runner``), which releases it as well.
    """
    key = f"saas:template:{TenantKind(kind).value}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])
