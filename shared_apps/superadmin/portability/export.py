"""Export one tenant into an archive (``archive.py``): its schema, its files, a manifest.

``tenant_export(tenant=..., target=...)`` writes the tar to any writable binary file object, as a
stream (``tarfile`` mode ``w|``: no seeking, so a pipe or an HTTP body works too):

1. a ``REPEATABLE READ`` transaction on a connection of its own exports its snapshot
   (``pg_export_snapshot()``); ``pg_dump --snapshot`` dumps the schema from that snapshot into a
   temporary file (pg_dump writes it itself: nothing of the dump passes through this process's
   memory), while the same transaction reads the applied migrations and every table's row count
   and checksum. Dump and manifest therefore describe the same moment, however busy the tenant is.
2. the dump is copied into the tar in 64 KiB chunks and hashed on the way;
3. each stored file under ``<schema>/`` (listed a page or a directory at a time:
   ``purge._storage_keys``) is copied the same way as ``files/<key without the schema>``;
4. ``manifest.json`` last, with the checksums of everything before it.

Memory stays bounded by the chunk size and the manifest (about 150 bytes a file). Disk: the dump
once, in ``tempfile``'s directory. ``tenant_export_to_storage`` is the job the API and the Celery
task run: the archive goes to the default storage under ``_platform/exports/<slug>/<id>.tar``,
outside every tenant's prefix (a tenant's key check refuses it, a purge never lists it).
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from typing import IO, Any

import psycopg
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from saas.errors import ApplicationError, ErrorCode
from shared_apps.superadmin.portability import archive, pgtools
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)

#: ``progress(percent, step)``: called as the export moves on (percent 0-100, a short step name).
Progress = Callable[[int, str], None]


def _noop(percent: int, step: str) -> None:
    return None


def snapshot_connection() -> psycopg.Connection[Any]:
    """A new connection to the default database (the test database under pytest), in autocommit
    mode: the export opens its own ``REPEATABLE READ`` transaction with an explicit ``BEGIN``."""
    db = settings.DATABASES["default"]

    def param(key: str) -> str | None:
        return str(db[key]) if db.get(key) else None

    return psycopg.connect(
        host=param("HOST"),
        port=param("PORT"),
        user=param("USER"),
        password=param("PASSWORD"),
        dbname=connection.settings_dict["NAME"],
        application_name="saas-portability",
        autocommit=True,  # the caller's BEGIN is the transaction's first statement, with its isolation level
    )


def _plan_code(tenant: Tenant) -> str | None:
    from shared_apps.billing.models import BillingAccount

    code = BillingAccount.objects.filter(tenant=tenant).values_list("plan__code", flat=True).first()
    return str(code) if code else None


def tenant_export(*, tenant: Tenant, target: IO[bytes], progress: Progress = _noop) -> dict[str, Any]:
    """Write ``tenant``'s archive to ``target`` (a binary file object, written sequentially) and
    return its manifest (a dict, as in ``archive.py``).

    Raises ``ApplicationError`` ``pg_tools_unavailable`` (503) without usable PostgreSQL client
    programs; a ``pg_dump`` failure raises ``ApplicationError`` (500, ``server_error``) with its stderr logged.
    """
    from shared_apps.superadmin.purge import _storage_keys

    schema = tenant.schema_name
    manifest: dict[str, Any] = {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "slug": tenant.schema_name,
        "name": tenant.name,
        "kind": tenant.kind,
        "owner_email": tenant.owner_email,
        "plan": _plan_code(tenant),
        "exported_at": timezone.now().isoformat(),
        "schema": schema,
    }
    progress(1, "dumping")
    with tempfile.TemporaryDirectory(prefix="tenant-export-") as workdir:
        dump_path = f"{workdir}/{archive.DUMP}"
        with snapshot_connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            with open(f"{workdir}/pg_dump.err", "w+b") as errors:
                dump = subprocess.Popen(  # noqa: S603 - a fixed program, arguments we build
                    [
                        pgtools.program("pg_dump"),
                        "--format=custom",
                        f"--schema={archive.quote_ident(schema)}",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={dump_path}",
                    ],
                    env=pgtools.pg_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                )
                try:
                    with conn.cursor() as cursor:
                        manifest["migrations"] = archive.applied_migrations(cursor, schema)
                        manifest["tables"] = archive.table_stats(cursor, schema)
                finally:
                    code = dump.wait()
                if code != 0:
                    errors.seek(0)
                    logger.error(
                        "pg_dump of %s failed (%s): %s", schema, code, errors.read(4000).decode(errors="replace")
                    )
                    raise ApplicationError(
                        f"pg_dump of {schema!r} failed.", code=ErrorCode.SERVER_ERROR, status_code=500
                    )
            conn.execute("ROLLBACK")
        progress(40, "archiving schema")
        files = []
        with tarfile.open(fileobj=target, mode="w|", bufsize=archive.CHUNK) as tar:
            with open(dump_path, "rb") as dumped:
                size, sha256 = archive.add_stream(tar, archive.DUMP, dumped, _file_size(dumped))
            manifest["dump"] = {"size": size, "sha256": sha256}
            progress(50, "archiving files")
            for key in _storage_keys(default_storage, schema):
                relative = key[len(schema) + 1 :]
                with default_storage.open(key, "rb") as stored:
                    size, sha256 = archive.add_stream(
                        tar, archive.FILES_PREFIX + relative, stored, int(default_storage.size(key))
                    )
                files.append({"key": relative, "size": size, "sha256": sha256})
                if len(files) % 100 == 0:
                    progress(min(95, 50 + len(files) // 100), "archiving files")
            manifest["files"] = files
            manifest["signature"] = archive.manifest_signature(manifest)
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(archive.MANIFEST)
            info.size = len(body)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(body))
    progress(100, "done")
    return manifest


def _file_size(handle: IO[bytes]) -> int:
    return os.fstat(handle.fileno()).st_size
