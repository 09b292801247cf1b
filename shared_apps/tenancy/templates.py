"""Per-kind template schemas: migrated once, cloned for every new tenant of that kind.

``_template_<kind>`` holds the kind's tables, migration records, content types, permissions and
role groups. ``migrate_schemas`` keeps each template current together with the tenants
(``management/commands/migrate_schemas.py``); ``ensure_template`` creates a missing one and
migrates a stale one, so provisioning never clones an out-of-date structure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.migration_executors.base import run_migrations
from django_tenants.utils import quote_schema_name, schema_exists

from saas.db.tenant import tenant_connection, use_public_schema
from shared_apps.tenancy.models import TenantKind

TEMPLATE_PREFIX = "_template_"

_current: set[str] = set()  # templates known to be fully migrated in this process


def template_schema_name(kind: str) -> str:
    """The template schema of ``kind``; slugs cannot start with "_", so it never names a tenant."""
    return f"{TEMPLATE_PREFIX}{TenantKind(kind).value}"


def existing_templates() -> list[tuple[str, str]]:
    """``(schema_name, kind)`` of every template schema that exists."""
    return [(template_schema_name(k), k) for k in TenantKind.values if schema_exists(template_schema_name(k))]


def migrate_template(kind: str, *, verbosity: int = 0) -> None:
    """Create (if missing) and migrate ``kind``'s template schema, then sync its roles.

    Commits: must not run inside ``transaction.atomic()``.
    """
    from tenant_apps.accounts.roles import sync_roles

    name = template_schema_name(kind)
    if not schema_exists(name):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(name)}")
    options = _migrate_options(verbosity)
    run_migrations(args=[], options=options, executor_codename="template", schema_name=name, tenant_type=kind)
    tenant_connection().set_schema(name, tenant_type=kind)
    try:
        sync_roles(kind)
    finally:
        use_public_schema()
    _current.add(kind)


def _migrate_options(verbosity: int) -> dict[str, object]:
    """Every option of ``migrate_schemas`` at its default, as django-tenants' executor expects."""
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
    options = vars(parser.parse_args([]))
    options.update(verbosity=verbosity, interactive=False)
    return options


def template_is_current(kind: str) -> bool:
    """Whether ``kind``'s template exists and has every migration applied."""
    name = template_schema_name(kind)
    if not schema_exists(name):
        return False
    tenant_connection().set_schema(name, tenant_type=kind, include_public=False)
    try:
        executor = MigrationExecutor(connection)
        return not executor.migration_plan(executor.loader.graph.leaf_nodes())
    finally:
        use_public_schema()


def ensure_template(kind: str, *, verbosity: int = 0) -> str:
    """Return ``kind``'s template schema name, creating or migrating it first when needed.

    The migration check loads the migration graph, so it runs once per process and kind; the
    schema's existence is checked every time (one catalog query), since a template created
    inside a transaction that rolled back is gone.
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

    Serialises migrations of one template across processes. Migrating closes the connection
    (django-tenants' executor does), which releases the lock as well; it is released explicitly
    otherwise.
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
