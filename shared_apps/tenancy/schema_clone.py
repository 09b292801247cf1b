"""Copy a migrated template schema into a new tenant schema, in the caller's transaction.

Why by hand: django-tenants' ``clone_schema`` SQL function keeps one template for every tenant
type and renames unique constraints on the way (later migrations that drop them by name then
fail), and it runs ``migrate_schemas --fake`` afterwards, which loads the whole migration graph
for every tenant. Here the copy is driven from the PostgreSQL catalog, keeps every name, and
copies the rows too (``django_migrations``, content types, permissions, role groups), so the new
schema is ready without running any migration. ``tests/shared_apps/tenancy/test_schema_clone.py``
compares ``pg_dump --schema-only`` of a clone with the template's to prove the result is the same.

The statements are derived from the catalog once per template and cached in the process, keyed
by the template's schema oid and migration count, so a clone costs one small query plus the DDL,
however many tenants the database holds (``bench/provisioning.py`` measures it).

What Django migrations create is supported: tables, identity columns, defaults, generated
columns, CHECK / PRIMARY KEY / UNIQUE / EXCLUDE / FOREIGN KEY constraints, indexes and comments.
Anything else in a template (views, functions, triggers, free-standing sequences, types) makes
``clone_schema`` raise ``SchemaCloneError`` instead of producing a schema that is not the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django_tenants.utils import quote_schema_name

from saas.db.tenant import tenant_connection


class SchemaCloneError(RuntimeError):
    """The template holds an object this cloner does not copy, or the target exists."""


#: Stands for the quoted target schema in a cached plan's statements.
_TARGET = "\x1fCLONE_TARGET\x1f"

_UNSUPPORTED_SQL = """
SELECT 'relation ' || c.relname FROM pg_class c
 WHERE c.relnamespace = %(ns)s AND c.relkind IN ('v', 'm', 'f', 'p')
UNION ALL
SELECT 'sequence ' || c.relname FROM pg_class c
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'S'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
UNION ALL
SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = %(ns)s
UNION ALL
SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = %(ns)s AND NOT t.tgisinternal
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t
 WHERE t.typnamespace = %(ns)s AND t.typtype IN ('e', 'd', 'r', 'm')
"""

_TABLES_SQL = "SELECT relname FROM pg_class WHERE relnamespace = %(ns)s AND relkind = 'r' ORDER BY oid"

_IDENTITY_SQL = """
SELECT c.relname, a.attname, a.attidentity, s.relname, format_type(q.seqtypid, NULL),
       format_type(a.atttypid, NULL),
       q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
  JOIN pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_sequence q ON q.seqrelid = s.oid
 WHERE c.relnamespace = %(ns)s
 ORDER BY c.oid, a.attnum
"""

_COLUMNS_SQL = """
SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' AND a.attnum > 0
   AND NOT a.attisdropped AND a.attgenerated = ''
 GROUP BY c.relname, c.oid
 ORDER BY c.oid
"""

# PRIMARY KEY, UNIQUE and EXCLUDE first (foreign keys need their target's unique index).
_CONSTRAINTS_SQL = """
SELECT c.relname, con.conname, pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
 WHERE c.relnamespace = %(ns)s AND con.contype IN ('p', 'u', 'x', 'f')
 ORDER BY con.contype = 'f', c.oid, con.conname
"""

_INDEXES_SQL = """
SELECT pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = %(ns)s
   AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                    WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'))
 ORDER BY i.indexrelid
"""

_TABLE_COMMENTS_SQL = """
SELECT c.relname, d.description FROM pg_class c
  JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r'
"""


@dataclass(frozen=True)
class ClonePlan:
    """The statements that copy one template, with ``_TARGET`` standing for the new schema."""

    fingerprint: tuple[int, int, int]
    statements: tuple[str, ...]

    def sql_for(self, target: str) -> str:
        return ";\n".join(self.statements).replace(_TARGET, quote_schema_name(target))


_plans: dict[str, ClonePlan] = {}


def _rows(cursor: Any, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fingerprint(cursor: Any, source: str) -> tuple[int, int, int] | None:
    """(schema oid, applied migrations, last migration id) of ``source``; ``None`` if it is missing.

    A template changes only through migrations, so this identifies its structure.
    """
    found = _rows(cursor, "SELECT oid FROM pg_namespace WHERE nspname = %(n)s", n=source)
    if not found:
        return None
    table = f"{quote_schema_name(source)}.django_migrations"
    if _rows(cursor, "SELECT to_regclass(%(t)s)", t=table)[0][0] is None:
        return int(found[0][0]), 0, 0
    count, last = _rows(cursor, f"SELECT count(*), coalesce(max(id), 0) FROM {table}")[0]
    return int(found[0][0]), int(count), int(last)


def build_clone_plan(cursor: Any, source: str, fingerprint: tuple[int, int, int]) -> ClonePlan:
    """Read ``source``'s catalog and return the statements that recreate it under ``_TARGET``.

    Raises ``SchemaCloneError`` when ``source`` holds an object this cloner does not copy.
    """
    ns = fingerprint[0]
    unsupported = sorted(row[0] for row in _rows(cursor, _UNSUPPORTED_SQL, ns=ns))
    if unsupported:
        raise SchemaCloneError(f"Cannot clone {source!r}: it holds {', '.join(unsupported)}.")
    # Catalog functions (pg_get_indexdef, pg_get_constraintdef) qualify every name not visible on
    # the search_path; with only pg_catalog on it, every name comes out qualified and can be
    # re-pointed at the target by replacing the schema prefix.
    _rows(cursor, "SELECT set_config('search_path', 'pg_catalog', true)")
    src = quote_schema_name(source)
    src_prefix = str(_rows(cursor, "SELECT quote_ident(%(n)s)", n=source)[0][0]) + "."

    def repoint(definition: str) -> str:
        return definition.replace(f" {src_prefix}", f" {_TARGET}.").replace(f"({src_prefix}", f"({_TARGET}.")

    def q(name: str) -> str:
        return quote_schema_name(name)

    statements = [f"CREATE SCHEMA {_TARGET}"]
    # Tables with columns, defaults, NOT NULL and CHECK constraints (names kept).
    statements += [
        f"CREATE TABLE {_TARGET}.{q(t)} (LIKE {src}.{q(t)} INCLUDING DEFAULTS INCLUDING GENERATED "
        "INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
        for (t,) in _rows(cursor, _TABLES_SQL, ns=ns)
    ]
    # Identity columns as pg_dump restores them: the template's sequence name, type and options.
    identities = _rows(cursor, _IDENTITY_SQL, ns=ns)
    for table, column, kind, seq, seq_type, col_type, start, step, min_, max_, cache, cycle in identities:
        generated = "ALWAYS" if kind == "a" else "BY DEFAULT"
        statements.append(
            f"ALTER TABLE {_TARGET}.{q(table)} ALTER COLUMN {q(column)} ADD GENERATED {generated} AS IDENTITY "
            f"(SEQUENCE NAME {_TARGET}.{q(seq)} START WITH {int(start)} INCREMENT BY {int(step)} "
            f"MINVALUE {int(min_)} MAXVALUE {int(max_)} CACHE {int(cache)} {'CYCLE' if cycle else 'NO CYCLE'})"
        )
        if seq_type != col_type:  # the sequence takes the column's type unless told otherwise
            statements.append(f"ALTER SEQUENCE {_TARGET}.{q(seq)} AS {seq_type}")
    # Rows, then sequence positions (read from the template's sequences when the clone runs).
    statements += [
        f"INSERT INTO {_TARGET}.{q(t)} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {src}.{q(t)}"
        for t, cols in _rows(cursor, _COLUMNS_SQL, ns=ns)
    ]
    statements += [
        f"SELECT setval({_literal(f'{_TARGET}.{q(seq)}')}, last_value, is_called) FROM {src}.{q(seq)}"
        for _t, _c, _k, seq, *_ in identities
    ]
    statements += [
        f"ALTER TABLE {_TARGET}.{q(t)} ADD CONSTRAINT {q(name)} {repoint(' ' + d).strip()}"
        for t, name, d in _rows(cursor, _CONSTRAINTS_SQL, ns=ns)
    ]
    statements += [repoint(d) for (d,) in _rows(cursor, _INDEXES_SQL, ns=ns)]
    statements += [
        f"COMMENT ON TABLE {_TARGET}.{q(t)} IS {_literal(text)}"
        for t, text in _rows(cursor, _TABLE_COMMENTS_SQL, ns=ns)
    ]
    return ClonePlan(fingerprint=fingerprint, statements=tuple(statements))


def clone_schema(source: str, target: str) -> None:
    """Create schema ``target`` as a copy of ``source``: structure, names and rows.

    Runs in the caller's transaction (wrap it in ``transaction.atomic()``: PostgreSQL DDL is
    transactional, so a rollback leaves no trace). Raises ``SchemaCloneError`` when ``source``
    is missing, ``target`` exists, or ``source`` holds an object this cloner does not copy.
    """
    with connection.cursor() as cursor:
        try:
            fingerprint = _fingerprint(cursor, source)
            if fingerprint is None:
                raise SchemaCloneError(f"Template schema {source!r} does not exist.")
            if _rows(cursor, "SELECT 1 FROM pg_namespace WHERE nspname = %(n)s", n=target):
                raise SchemaCloneError(f"Schema {target!r} already exists.")
            plan = _plans.get(source)
            if plan is None or plan.fingerprint != fingerprint:
                plan = _plans[source] = build_clone_plan(cursor, source, fingerprint)
            cursor.execute(plan.sql_for(target))
        finally:
            # The search_path may have been changed under django-tenants: make it set it again.
            tenant_connection().search_path_set_schemas = None
