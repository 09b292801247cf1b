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
however many tenants the database holds (``bench/provisioning.py`` measures it). Deriving them
(the first clone in every fresh process: each CLI call, each new web worker) reads only the
template's own catalog rows, through indexes, so it stays fast with thousands of schemas in the
database (``bench/provisioning_scale.py``).

What Django migrations create is supported: tables, identity columns, defaults, generated
columns, CHECK / PRIMARY KEY / UNIQUE / EXCLUDE / FOREIGN KEY constraints, indexes and comments.
Anything else in a template (views, functions, triggers, free-standing sequences, types, or any
other object of the schema) makes ``clone_schema`` raise ``SchemaCloneError`` instead of producing
a schema that is not the same.
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

# Every catalog query starts from the template's own objects, found through their dependency on
# the schema in pg_depend's reference index, and reaches the rest through oid indexes (pg_class,
# pg_attribute, pg_constraint, pg_index, pg_trigger, pg_description, pg_sequence, pg_depend's
# depender index). Nothing filters pg_class on relnamespace or pg_depend on objid alone: neither
# has an index for that, and both grow with every schema in the database, so such a query costs
# a scan of the whole catalog (once per sequence, in the worst case), however small the template.

#: Each object that depends on the schema itself: relations (tables, sequences, views...),
#: functions, free-standing types, extended statistics... Indexes and a table's row type depend
#: on their table instead; TOAST tables live in pg_toast.
_MEMBERS_SQL = """
SELECT d.classid = 'pg_class'::regclass AS is_relation, d.objid, c.relname, c.relkind,
       pg_describe_object(d.classid, d.objid, 0)
  FROM pg_depend d LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
 WHERE d.refclassid = 'pg_namespace'::regclass AND d.refobjid = %(ns)s AND d.refobjsubid = 0
 ORDER BY d.objid
"""

#: The sequences among ``seqs`` that belong to no column (identity or ``OWNED BY``).
_FREE_SEQUENCES_SQL = """
SELECT c.relname FROM pg_class c
 WHERE c.oid = ANY(%(seqs)s::oid[])
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.objsubid = 0
                      AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
"""

#: One index lookup per table (``OFFSET 0`` keeps the subquery a per-row lookup): written as
#: ``tgrelid = ANY(...)``, the planner, misled by catalog statistics that are rarely gathered,
#: scanned all of pg_trigger (four internal triggers per foreign key of every schema: 180 ms at
#: 5,000 schemas).
_TRIGGERS_SQL = """
SELECT x.tgname
  FROM unnest(%(tables)s::oid[]) AS t(oid)
       CROSS JOIN LATERAL (SELECT g.tgname FROM pg_trigger g
                            WHERE g.tgrelid = t.oid AND NOT g.tgisinternal OFFSET 0) x
"""

_IDENTITY_SQL = """
SELECT c.relname, a.attname, a.attidentity, s.relname, format_type(q.seqtypid, NULL),
       format_type(a.atttypid, NULL),
       q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle
  FROM pg_class c
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attidentity <> '' AND NOT a.attisdropped
  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
                  AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass AND d.deptype = 'i'
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  JOIN pg_sequence q ON q.seqrelid = s.oid
 WHERE c.oid = ANY(%(tables)s::oid[])
 ORDER BY c.oid, a.attnum
"""

_COLUMNS_SQL = """
SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.oid = ANY(%(tables)s::oid[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
 GROUP BY c.relname, c.oid
 ORDER BY c.oid
"""

# PRIMARY KEY, UNIQUE and EXCLUDE first (foreign keys need their target's unique index).
_CONSTRAINTS_SQL = """
SELECT con.contype = 'f', c.relname, con.conname, pg_get_constraintdef(con.oid)
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
 WHERE con.conrelid = ANY(%(tables)s::oid[]) AND con.contype IN ('p', 'u', 'x', 'f')
 ORDER BY con.contype = 'f', c.oid, con.conname
"""

_INDEXES_SQL = """
SELECT pg_get_indexdef(i.indexrelid)
  FROM pg_index i
 WHERE i.indrelid = ANY(%(tables)s::oid[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                    WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid
                      AND con.contype IN ('p', 'u', 'x'))
 ORDER BY i.indexrelid
"""

_TABLE_COMMENTS_SQL = """
SELECT c.relname, d.description FROM pg_class c
  JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
 WHERE c.oid = ANY(%(tables)s::oid[])
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
    # The catalogs' statistics are rarely gathered (autovacuum seldom analyzes them), so the cost
    # estimates of these queries can be far too high, enough to start JIT compilation that takes
    # longer than the queries themselves. Off for the rest of this transaction only.
    _rows(cursor, "SELECT set_config('jit', 'off', true)")
    tables: list[int] = []
    table_names: list[str] = []
    seqs: list[int] = []
    unsupported: list[str] = []
    for is_relation, oid, relname, relkind, description in _rows(cursor, _MEMBERS_SQL, ns=ns):
        if not is_relation:
            unsupported.append(str(description))
        elif relkind == "r":
            tables.append(int(oid))
            table_names.append(str(relname))
        elif relkind == "S":
            seqs.append(int(oid))
        else:  # views, materialized views, foreign or partitioned tables
            unsupported.append(f"relation {relname}")
    unsupported += [f"sequence {name}" for (name,) in _rows(cursor, _FREE_SEQUENCES_SQL, seqs=seqs)]
    unsupported += [f"trigger {name}" for (name,) in _rows(cursor, _TRIGGERS_SQL, tables=tables)]
    unsupported.sort()
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
        for t in table_names
    ]
    # Identity columns as pg_dump restores them: the template's sequence name, type and options.
    identities = _rows(cursor, _IDENTITY_SQL, tables=tables)
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
        for t, cols in _rows(cursor, _COLUMNS_SQL, tables=tables)
    ]
    statements += [
        f"SELECT setval({_literal(f'{_TARGET}.{q(seq)}')}, last_value, is_called) FROM {src}.{q(seq)}"
        for _t, _c, _k, seq, *_ in identities
    ]
    # Keys first, then foreign keys (which need the keys they reference); one ALTER TABLE per table
    # and pass, with every constraint of it as one action each: a third of the statements.
    actions: dict[tuple[bool, str], list[str]] = {}
    for is_foreign, t, name, d in _rows(cursor, _CONSTRAINTS_SQL, tables=tables):
        action = f"ADD CONSTRAINT {q(name)} {repoint(' ' + d).strip()}"
        actions.setdefault((bool(is_foreign), str(t)), []).append(action)
    statements += [f"ALTER TABLE {_TARGET}.{q(t)} {', '.join(adds)}" for (_fk, t), adds in actions.items()]
    statements += [repoint(d) for (d,) in _rows(cursor, _INDEXES_SQL, tables=tables)]
    statements += [
        f"COMMENT ON TABLE {_TARGET}.{q(t)} IS {_literal(text)}"
        for t, text in _rows(cursor, _TABLE_COMMENTS_SQL, tables=tables)
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
