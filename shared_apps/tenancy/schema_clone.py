"""Copy a migrated template schema into a new tenant schema, in the caller's transaction.

Why by hand: django-tenants' ``clone_schema`` SQL function keeps one template for every tenant
type and renames unique constraints on the way (later migrations that drop them by name then
fail), and it runs ``migrate_schemas --fake`` afterwards, which loads the whole migration graph
for every tenant. Here the copy is driven from the PostgreSQL catalog, keeps every name, and
copies the rows too (``django_migrations``, content types, permissions, role groups), so the new
schema is ready without running any migration. ``tests/shared_apps/tenancy/test_schema_clone.py``
compares ``pg_dump --schema-only`` of a clone with the template's to prove the result is the same.

What Django migrations create is supported: tables, identity columns, defaults, generated
columns, CHECK / PRIMARY KEY / UNIQUE / EXCLUDE / FOREIGN KEY constraints, indexes and comments.
Anything else in a template (views, functions, triggers, free-standing sequences, types) makes
``clone_schema`` raise ``SchemaCloneError`` instead of producing a schema that is not the same.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django_tenants.utils import quote_schema_name


class SchemaCloneError(RuntimeError):
    """The template holds an object this cloner does not copy, or the target exists."""


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
SELECT c.relname, a.attname, s.relname, seq.last_value, seq.data_type::text
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
  JOIN pg_depend d ON d.refobjid = c.oid AND d.refobjsubid = a.attnum AND d.deptype = 'i'
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_sequences seq ON seq.schemaname = %(schema)s AND seq.sequencename = s.relname
 WHERE c.relnamespace = %(ns)s
"""

_COLUMNS_SQL = """
SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r' AND a.attnum > 0
   AND NOT a.attisdropped AND a.attgenerated = ''
 GROUP BY c.relname
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
"""

_TABLE_COMMENTS_SQL = """
SELECT c.relname, d.description FROM pg_class c
  JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.relnamespace = %(ns)s AND c.relkind = 'r'
"""


class _Catalog:
    """Runs catalog queries and DDL on one cursor whose ``search_path`` is ``pg_catalog`` only."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        self.cursor.execute(sql, params)
        return list(self.cursor.fetchall())

    def run(self, statements: list[str]) -> None:
        if statements:
            self.cursor.execute(";\n".join(statements))

    def namespace(self, name: str) -> int | None:
        found = self.rows("SELECT oid FROM pg_namespace WHERE nspname = %(n)s", n=name)
        return int(found[0][0]) if found else None

    def ident(self, name: str) -> str:
        return str(self.rows("SELECT quote_ident(%(n)s)", n=name)[0][0])


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def clone_schema(source: str, target: str) -> None:
    """Create schema ``target`` as a copy of ``source``: structure, names and rows.

    Runs in the caller's transaction (wrap it in ``transaction.atomic()``: PostgreSQL DDL is
    transactional, so a rollback leaves no trace). Raises ``SchemaCloneError`` when ``source``
    is missing, ``target`` exists, or ``source`` holds an object this cloner does not copy.
    """
    with connection.cursor() as cursor:
        try:
            _clone(_Catalog(cursor), source, target)
        finally:
            # The search_path was changed under django-tenants: make it set the path again.
            connection.search_path_set_schemas = None


def _clone(db: _Catalog, source: str, target: str) -> None:
    # Catalog functions (pg_get_indexdef, pg_get_constraintdef) qualify every name that is not
    # visible on the search_path; with only pg_catalog on it, all names come out qualified
    # and can be re-pointed from source to target by replacing the schema prefix.
    db.rows("SELECT set_config('search_path', 'pg_catalog', true)")
    ns = db.namespace(source)
    if ns is None:
        raise SchemaCloneError(f"Template schema {source!r} does not exist.")
    if db.namespace(target) is not None:
        raise SchemaCloneError(f"Schema {target!r} already exists.")
    unsupported = sorted(row[0] for row in db.rows(_UNSUPPORTED_SQL, ns=ns))
    if unsupported:
        raise SchemaCloneError(f"Cannot clone {source!r}: it holds {', '.join(unsupported)}.")

    src, dst = quote_schema_name(source), quote_schema_name(target)
    src_prefix = db.ident(source) + "."

    def repoint(definition: str) -> str:
        return definition.replace(f" {src_prefix}", f" {dst}.").replace(f"({src_prefix}", f"({dst}.")

    tables = [row[0] for row in db.rows(_TABLES_SQL, ns=ns)]
    db.run([f"CREATE SCHEMA {dst}"] + [
        f"CREATE TABLE {dst}.{quote_schema_name(t)} (LIKE {src}.{quote_schema_name(t)} "
        "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS "
        "INCLUDING STORAGE INCLUDING COMMENTS)"
        for t in tables
    ])

    statements = [
        f"INSERT INTO {dst}.{quote_schema_name(t)} ({cols}) OVERRIDING SYSTEM VALUE "
        f"SELECT {cols} FROM {src}.{quote_schema_name(t)}"
        for t, cols in db.rows(_COLUMNS_SQL, ns=ns)
    ]
    # LIKE names each new identity sequence <table>_<column>_seq; the template's may differ
    # (a table renamed by a migration keeps its sequence's old name), so rename to match, and
    # carry on numbering where the template stopped.
    # LIKE also makes every new sequence bigint (keeping an int column's maximum): copy the type.
    created = {(t, c): (seq, type_) for t, c, seq, _, type_ in
               db.rows(_IDENTITY_SQL, ns=db.namespace(target), schema=target)}
    for table, column, seq, last_value, data_type in db.rows(_IDENTITY_SQL, ns=ns, schema=source):
        new_seq, new_type = created[(table, column)]
        if new_type != data_type:
            statements.append(f"ALTER SEQUENCE {dst}.{quote_schema_name(new_seq)} AS {data_type}")
        if new_seq != seq:
            statements.append(
                f"ALTER SEQUENCE {dst}.{quote_schema_name(new_seq)} RENAME TO {quote_schema_name(seq)}"
            )
        if last_value is not None:
            statements.append(f"SELECT setval({_literal(f'{dst}.{quote_schema_name(seq)}')}, {int(last_value)})")
    statements += [
        f"ALTER TABLE {dst}.{quote_schema_name(t)} ADD CONSTRAINT {quote_schema_name(name)} {repoint(' ' + d).strip()}"
        for t, name, d in db.rows(_CONSTRAINTS_SQL, ns=ns)
    ]
    statements += [repoint(row[0]) for row in db.rows(_INDEXES_SQL, ns=ns)]
    statements += [
        f"COMMENT ON TABLE {dst}.{quote_schema_name(t)} IS {_literal(text)}"
        for t, text in db.rows(_TABLE_COMMENTS_SQL, ns=ns)
    ]
    db.run(statements)
