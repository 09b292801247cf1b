"""The tenant archive: one uncompressed tar, written and read as a stream.

Members, in this order::

    schema.dump            pg_dump --format=custom of the tenant's one schema (no owner, no grants)
    files/<key>            each stored file of the tenant, <key> relative to its "<schema>/" prefix
    manifest.json          what the archive holds and how to check it (last: it carries the
                           checksums of the members before it)

``manifest.json`` (``FORMAT_VERSION`` 1)::

    {"format": "saas-tenant-archive", "format_version": 1,
     "slug", "name", "kind", "owner_email", "plan": plan code or null, "exported_at": ISO 8601 UTC,
     "schema": the schema name the dump holds,
     "migrations": [[app, name], ...]      the schema's django_migrations, in the order applied,
     "tables": {table: {"rows": int, "checksum": str}},
     "dump": {"size": bytes, "sha256": hex},
     "files": [{"key": relative key, "size": bytes, "sha256": hex}, ...],
     "signature": hex}                     HMAC-SHA256 of everything above (``manifest_signature``)

The manifest carries the sha256 of every other member, so its signature authenticates the whole
archive: an import runs the dump's SQL, and only archives signed with this deployment's
``TENANT_ARCHIVE_SIGNING_KEY`` (default: derived from ``SECRET_KEY``; set the same key on two
deployments to move sites between them) are imported unless the operator says otherwise
(``import_tenant --trust-unsigned``).

A table's ``checksum`` is order-independent and computed in SQL, one pass, constant memory: the
sum over its rows of the first 64 bits of ``md5(row::text)`` as a signed integer, in ``numeric``
(``table_stats``). Rows, counts and checksums are taken in the same snapshot as the dump
(``export.tenant_export``), so a tenant written to during an export still verifies.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable
from typing import IO, Any

from django.conf import settings
from django.utils.crypto import salted_hmac

FORMAT = "saas-tenant-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DUMP = "schema.dump"
FILES_PREFIX = "files/"
#: Bytes read or written at a time: a dump or a file never sits in memory whole.
CHUNK = 64 * 1024
#: A manifest larger than this is refused unread (a tenant with a million files is about 150 MB).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024


class HashingReader:
    """A read-only file object over ``raw`` that hashes (sha256) and counts what is read through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


def add_stream(tar: tarfile.TarFile, name: str, raw: IO[bytes], size: int) -> tuple[int, str]:
    """Append member ``name`` of ``size`` bytes read from ``raw`` in chunks; returns (size, sha256)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    reader = HashingReader(raw)
    tar.addfile(info, reader)  # type: ignore[arg-type]  # tarfile reads it CHUNK by CHUNK (copyfileobj)
    return reader.size, reader.sha256.hexdigest()


def copy_hashed(source: IO[bytes], target: IO[bytes], *, limit: int | None = None) -> tuple[int, str]:
    """Copy ``source`` to ``target`` chunk by chunk; returns (size, sha256). Stops after ``limit``
    bytes plus one (the caller compares the size)."""
    digest = hashlib.sha256()
    size = 0
    while True:
        data = source.read(CHUNK)
        if not data:
            break
        digest.update(data)
        target.write(data)
        size += len(data)
        if limit is not None and size > limit:
            break
    return size, digest.hexdigest()


def table_stats(
    cursor: Any, schema: str, *, on_table: Callable[[str], None] | None = None
) -> dict[str, dict[str, Any]]:
    """``{table: {"rows": int, "checksum": str}}`` of every table of ``schema``, read with ``cursor``
    (a DB-API cursor: its transaction's snapshot is what is counted). One sequential scan per table."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
        [schema],
    )
    tables = [row[0] for row in cursor.fetchall()]
    stats: dict[str, dict[str, Any]] = {}
    for table in tables:
        if on_table is not None:
            on_table(table)
        cursor.execute(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text"
            f" FROM {quote_ident(schema)}.{quote_ident(table)} t"
        )
        rows, checksum = cursor.fetchone()
        stats[table] = {"rows": int(rows), "checksum": str(checksum)}
    return stats


def applied_migrations(cursor: Any, schema: str) -> list[list[str]]:
    """The schema's ``django_migrations`` as ``[[app, name], ...]`` in the order applied."""
    cursor.execute(f"SELECT app, name FROM {quote_ident(schema)}.django_migrations ORDER BY id")
    return [[str(app), str(name)] for app, name in cursor.fetchall()]


def quote_ident(name: str) -> str:
    """``name`` as a double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def manifest_signature(manifest: dict[str, Any]) -> str:
    """The HMAC-SHA256 (hex) of ``manifest`` without its ``signature``, canonical JSON, keyed with
    ``settings.TENANT_ARCHIVE_SIGNING_KEY`` (empty: ``SECRET_KEY``)."""
    body = json.dumps({k: v for k, v in manifest.items() if k != "signature"}, sort_keys=True, separators=(",", ":"))
    key = str(getattr(settings, "TENANT_ARCHIVE_SIGNING_KEY", "") or "") or None
    return salted_hmac("saas.tenant-archive", body, secret=key, algorithm="sha256").hexdigest()
