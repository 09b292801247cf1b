"""Restore a tenant archive (``archive.py``) into a new schema, under any free slug.

``tenant_import(source=..., slug=...)``, all-or-nothing:

1. **read** the tar as a stream into a temporary directory, hashing each member on the way:
   ``schema.dump``, each ``files/<key>`` (stored under a number, never under its archived name:
   no path in an archive reaches the file system) and ``manifest.json``;
2. **check** before touching the database: the format, the kind (``invalid_kind``), the sha256 and
   size of the dump and of every file against the manifest (``archive_checksum_mismatch``), the
   slug (``invalid_slug``, ``slug_taken``), and that every migration the archive's schema had
   applied is known to this code (``archive_newer_than_code``, 409: data shaped by code this
   deployment does not have cannot be served by it);
3. **load** the dump under the new schema name: PostgreSQL cannot rename a schema inside a dump, so
   ``pg_restore -f -`` turns it into SQL, which a line filter (``SchemaRenamer``) rewrites on its
   way to ``psql --single-transaction -v ON_ERROR_STOP=1``: the schema identifier in DDL lines and
   ``COPY`` headers is replaced, the data lines between ``COPY ... FROM stdin;`` and ``\\.`` pass
   untouched, so a row that mentions the old slug keeps it. Nothing is buffered beyond one line;
4. **verify** every table's row count and checksum in the new schema against the manifest
   (``archive_checksum_mismatch``), before anything rewrites a row;
5. **copy** the files under ``<new schema>/`` in the default storage;
6. **register**, in one transaction: the stored file keys rewritten from ``<old schema>/`` to
   ``<new schema>/`` in every ``FileField`` column of the tenant apps' models (found from the
   models, not listed by hand), the ``Tenant`` row (a fresh ``uuid``: tokens of the exported
   tenant are refused), its platform host ``<slug>.<PLATFORM_DOMAIN>``, a billing account on the
   archive's plan (when this platform has a plan of that code, else the default plan) *without*
   the old Stripe ids (the new account gets its own customer, as a new site does), and a platform
   audit entry ``tenant.imported``;
7. **migrate** the schema forward when the archive is older than the code (``migrate_schemas
   --tenant --schema <slug>``).

A failure at any step drops the new schema (and the tenant row, once registered) and deletes the
files copied: nothing is left behind. Custom domains are not restored: they belong to the
exported site, which may still serve them, and a domain must be verified again by whoever owns it.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils.crypto import constant_time_compare
from django_tenants.utils import schema_exists

from saas.db.tenant import use_public_schema
from saas.errors import ApplicationError, Conflict, ErrorCode
from shared_apps.superadmin.portability import archive, pgtools
from shared_apps.tenancy.models import Tenant, TenantStatus

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]


def _noop(percent: int, step: str) -> None:
    return None


def _invalid(message: str, **details: Any) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.INVALID_ARCHIVE, details=details)


def _mismatch(message: str, **details: Any) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.ARCHIVE_CHECKSUM_MISMATCH, details=details)


@dataclass
class ReadArchive:
    """An archive read into ``workdir``: its manifest, the dump's path, and each file's path by key."""

    workdir: Path
    manifest: dict[str, Any]
    dump: Path
    files: dict[str, Path] = field(default_factory=dict)


def archive_read(source: IO[bytes], workdir: Path, *, trust_unsigned: bool = False) -> ReadArchive:
    """Read the tar ``source`` (a binary stream, read once, in order) into ``workdir`` and check it
    against its own manifest. Returns a ``ReadArchive``.

    Raises ``ApplicationError`` ``invalid_archive`` (400: not a tar, a member it does not expect,
    no manifest or dump, a manifest of another format), ``archive_signature_invalid`` (400: the
    manifest is not signed with this deployment's key, unless ``trust_unsigned``) or
    ``archive_checksum_mismatch`` (400: a member's size or sha256 is not the manifest's, a file
    missing or extra).
    """
    seen: dict[str, tuple[int, str]] = {}
    files: dict[str, Path] = {}
    manifest_bytes: bytes | None = None
    dump = workdir / archive.DUMP
    try:
        with tarfile.open(fileobj=source, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    raise _invalid(f"Unexpected member {member.name!r} (not a regular file).")
                handle = tar.extractfile(member)
                assert handle is not None
                if member.name == archive.MANIFEST:
                    if member.size > archive.MAX_MANIFEST_BYTES:
                        raise _invalid("The manifest is too large.")
                    manifest_bytes = handle.read()
                elif member.name == archive.DUMP:
                    with open(dump, "wb") as out:
                        seen[member.name] = archive.copy_hashed(handle, out)
                elif member.name.startswith(archive.FILES_PREFIX) and member.name not in seen:
                    path = workdir / f"file-{len(files):08d}"
                    with open(path, "wb") as out:
                        seen[member.name] = archive.copy_hashed(handle, out)
                    files[member.name[len(archive.FILES_PREFIX) :]] = path
                else:
                    raise _invalid(f"Unexpected member {member.name!r}.")
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, tarfile.TarError) and exc.errno is not None:
            raise  # a local disk error, not the archive's fault
        raise _invalid(f"Not a readable tenant archive: {exc}.") from None
    if manifest_bytes is None or archive.DUMP not in seen:
        raise _invalid("Not a tenant archive: manifest.json or schema.dump is missing.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise _invalid("manifest.json is not JSON.") from None
    _check_manifest(manifest)
    if not trust_unsigned and not constant_time_compare(
        str(manifest.get("signature") or ""), archive.manifest_signature(manifest)
    ):
        raise ApplicationError(
            "The archive is not signed with this platform's key (TENANT_ARCHIVE_SIGNING_KEY).",
            code=ErrorCode.ARCHIVE_SIGNATURE_INVALID,
        )
    if [*seen[archive.DUMP]] != [manifest["dump"]["size"], manifest["dump"]["sha256"]]:
        raise _mismatch("schema.dump does not match its checksum in the manifest.")
    listed = {str(f["key"]): f for f in manifest["files"]}
    if set(listed) != set(files):
        raise _mismatch(
            "The archive's files are not the manifest's.",
            missing=sorted(set(listed) - set(files))[:20],
            extra=sorted(set(files) - set(listed))[:20],
        )
    for key, entry in listed.items():
        if [*seen[archive.FILES_PREFIX + key]] != [entry["size"], entry["sha256"]]:
            raise _mismatch(f"File {key!r} does not match its checksum in the manifest.", key=key)
    return ReadArchive(workdir=workdir, manifest=manifest, dump=dump, files=files)


def _check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != archive.FORMAT:
        raise _invalid("manifest.json is not a tenant archive's manifest.")
    if manifest.get("format_version") != archive.FORMAT_VERSION:
        raise _invalid(f"Archive format version {manifest.get('format_version')!r} is not supported.")
    try:
        assert isinstance(manifest["schema"], str) and manifest["schema"]
        assert isinstance(manifest["kind"], str) and isinstance(manifest["name"], str)
        assert all(isinstance(m, list) and len(m) == 2 for m in manifest["migrations"])
        assert all({"rows", "checksum"} <= set(v) for v in manifest["tables"].values())
        assert {"size", "sha256"} <= set(manifest["dump"])
        for entry in manifest["files"]:
            key = str(entry["key"])
            assert key and not key.startswith("/") and ".." not in key.split("/")
            assert {"size", "sha256"} <= set(entry)
    except (AssertionError, KeyError, TypeError, AttributeError):
        raise _invalid("manifest.json lacks a required field or has one of the wrong type.") from None


def unknown_migrations(applied: list[list[str]]) -> list[str]:
    """The ``app.name`` of each migration in ``applied`` that this code does not have (on disk, or
    replaced by a squashed migration it has)."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update((str(r[0]), str(r[1])) for r in migration.replaces or ())
    return [f"{app}.{name}" for app, name in applied if (app, name) not in known]


def pending_migrations(kind: str, applied: list[list[str]]) -> list[str]:
    """The ``app.name`` of each migration of ``kind``'s apps on disk that ``applied`` lacks."""
    from django.db.migrations.loader import MigrationLoader

    from shared_apps.tenancy.schema_state import kind_app_labels

    labels = set(kind_app_labels(kind))
    done = {(app, name) for app, name in applied}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return sorted(f"{a}.{n}" for a, n in loader.disk_migrations if a in labels and (a, n) not in done)


class SchemaRenamer:
    """A line filter over ``pg_restore``'s SQL output (bytes) that moves it from schema ``old`` to
    ``new``: a schema-qualified name (``old.t``, ``"old".t``, inside ``'old.t_id_seq'`` too) and
    ``SCHEMA old`` are rewritten in statements and ``COPY`` headers; the data lines of a ``COPY``
    pass unchanged. pg_dump qualifies every name and clears ``search_path``, so nothing unqualified
    can land in another schema: a name the filter missed fails the load instead."""

    def __init__(self, old: str, new: str) -> None:
        names = [re.escape(archive.quote_ident(old))]
        if re.fullmatch(r"[a-z_][a-z0-9_$]*", old):
            names.append(re.escape(old))
        alternatives = "|".join(names).encode()
        self._pattern = re.compile(
            rb'(?<![\w$".])(?:' + alternatives + rb")(?=\.)|(?<=SCHEMA )(?:" + alternatives + rb")(?=[;\s])"
        )
        self._replacement = archive.quote_ident(new).encode()
        self._in_copy = False

    def __call__(self, line: bytes) -> bytes:
        if self._in_copy:
            if line in (b"\\.\n", b"\\.\r\n"):
                self._in_copy = False
            return line
        if line.startswith(b"COPY ") and line.rstrip().endswith(b"FROM stdin;"):
            self._in_copy = True
        return self._pattern.sub(self._replacement, line)


def load_dump(dump: Path, *, old: str, new: str, workdir: Path) -> None:
    """Load ``dump`` (pg_dump custom format of schema ``old``) into the new schema ``new`` through
    ``pg_restore | SchemaRenamer | psql`` in one transaction, committed by psql.

    Raises ``ApplicationError`` ``invalid_archive`` (400) when pg_restore cannot read the dump or
    psql refuses its SQL (the transaction is rolled back: nothing of ``new`` exists), and
    ``slug_taken`` (409) when the load failed because schema ``new`` appeared meanwhile (two imports
    of one slug: PostgreSQL lets one ``CREATE SCHEMA`` win, the other waits for it and fails)."""
    env = pgtools.pg_env()
    renamer = SchemaRenamer(old, new)
    with open(workdir / "pg_restore.err", "w+b") as restore_err, open(workdir / "psql.err", "w+b") as psql_err:
        restore = subprocess.Popen(  # noqa: S603 - a fixed program, arguments we build
            [pgtools.program("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=restore_err,
        )
        psql = subprocess.Popen(  # noqa: S603 - a fixed program, arguments we build
            [pgtools.program("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "--file=-"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_err,
        )
        assert restore.stdout is not None and psql.stdin is not None
        try:
            for line in restore.stdout:
                psql.stdin.write(renamer(line))
            psql.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: its stderr says which
            restore.kill()
        finally:
            restore.stdout.close()
        restore_code, psql_code = restore.wait(), psql.wait()
        if restore_code != 0 or psql_code != 0:
            restore_err.seek(0)
            psql_err.seek(0)
            message = (restore_err.read(2000) + psql_err.read(2000)).decode(errors="replace").strip()
            logger.error("restore into %s failed (pg_restore %s, psql %s): %s", new, restore_code, psql_code, message)
            if schema_exists(new):  # another import (or a provisioning) created it since the check: not ours
                raise Conflict(
                    f"The slug {new!r} is taken.",
                    code=ErrorCode.SLUG_TAKEN,
                    details={"slug": ["A site with this slug exists."]},
                )
            raise _invalid("The archive's schema could not be loaded.", error=message[-500:])


def file_fields() -> Iterator[tuple[str, str]]:
    """``(table, column)`` of every ``FileField`` (``ImageField`` too) of the tenant apps' models."""
    for model in apps.get_models():
        if not model.__module__.startswith("tenant_apps.") or model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                yield model._meta.db_table, str(model_field.column)


def _rewrite_file_keys(*, schema: str, old: str, tables: set[str]) -> int:
    updated = 0
    with connection.cursor() as cursor:
        for table, column in file_fields():
            if table not in tables:
                continue
            col = archive.quote_ident(column)
            cursor.execute(
                f"UPDATE {archive.quote_ident(schema)}.{archive.quote_ident(table)}"
                f" SET {col} = %s || substr({col}, %s) WHERE starts_with({col}, %s)",
                [f"{schema}/", len(old) + 2, f"{old}/"],
            )
            updated += cursor.rowcount
    return updated


@dataclass
class _Made:
    """What this import made so far, and only that: a failure undoes it (never another job's work,
    e.g. a concurrent import of the same slug whose schema made this one's load fail)."""

    slug: str
    schema: bool = False
    tenant: Tenant | None = None
    copied: list[str] = field(default_factory=list)

    def undo(self) -> None:
        from shared_apps.tenancy.services import tenant_drop

        try:
            use_public_schema()
            if self.tenant is not None:
                tenant_drop(tenant=self.tenant, confirm_slug=self.slug)
            elif self.schema:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP SCHEMA IF EXISTS {archive.quote_ident(self.slug)} CASCADE")
            for key in self.copied:
                default_storage.delete(key)
        except Exception:
            logger.exception("cleaning up the failed import of %s left something behind", self.slug)


def tenant_import(
    *, source: IO[bytes], slug: str, actor: Any = None, progress: Progress = _noop, trust_unsigned: bool = False
) -> Tenant:
    """Restore the archive read from ``source`` as a new tenant ``slug`` (steps in the module
    docstring) and return it, active. ``actor``: the staff user, for the platform audit log;
    ``trust_unsigned``: import an archive whose manifest is not signed with this deployment's key
    (the operator vouches for it; the command's ``--trust-unsigned``, never the API).

    Raises ``ApplicationError``: ``invalid_archive`` / ``archive_signature_invalid`` /
    ``archive_checksum_mismatch`` /
    ``invalid_kind`` / ``invalid_slug`` / ``reserved_slug`` (400), ``slug_taken`` /
    ``archive_newer_than_code`` (409), ``pg_tools_unavailable`` (503). Nothing is left behind on
    any failure.
    """
    from shared_apps.tenancy.validators import validate_kind, validate_slug

    validate_slug(slug)
    use_public_schema()
    with tempfile.TemporaryDirectory(prefix="tenant-import-") as tmp:
        progress(1, "reading")
        read = archive_read(source, Path(tmp), trust_unsigned=trust_unsigned)
        manifest = read.manifest
        validate_kind(manifest["kind"])
        unknown = unknown_migrations(manifest["migrations"])
        if unknown:
            raise Conflict(
                "The archive comes from a newer version of the platform: upgrade before importing it.",
                code=ErrorCode.ARCHIVE_NEWER_THAN_CODE,
                details={"migrations": unknown[:20]},
            )
        _ensure_free(slug)
        progress(20, "loading schema")
        made = _Made(slug)
        try:
            load_dump(read.dump, old=manifest["schema"], new=slug, workdir=read.workdir)
            made.schema = True
            progress(60, "verifying")
            with connection.cursor() as cursor:
                restored = archive.table_stats(cursor, slug)
            if restored != manifest["tables"]:
                differing = sorted(
                    t for t in set(restored) | set(manifest["tables"]) if restored.get(t) != manifest["tables"].get(t)
                )
                raise _mismatch(
                    "The restored tables do not match the manifest's counts and checksums.", tables=differing[:20]
                )
            progress(70, "copying files")
            for key, path in read.files.items():
                name = f"{slug}/{key}"
                default_storage.delete(name)  # a leftover of a dropped tenant of the same slug
                with open(path, "rb") as handle:
                    saved = default_storage.save(name, File(handle))
                made.copied.append(saved)
                if saved != name:
                    raise Conflict(f"Storage renamed {name!r} to {saved!r}.", code=ErrorCode.CONFLICT)
            progress(90, "registering")
            tenant = made.tenant = _register(slug=slug, manifest=manifest, actor=actor)
            if pending_migrations(manifest["kind"], manifest["migrations"]):
                progress(95, "migrating")
                _migrate(slug)
        except BaseException:
            made.undo()
            raise
    progress(100, "done")
    logger.warning("imported tenant %s from an archive of %s", slug, manifest["slug"])
    return tenant


def _ensure_free(slug: str) -> None:
    if Tenant.objects.filter(schema_name=slug).exists() or schema_exists(slug):
        raise Conflict(
            f"The slug {slug!r} is taken.",
            code=ErrorCode.SLUG_TAKEN,
            details={"slug": ["A site with this slug exists."]},
        )


def _register(*, slug: str, manifest: dict[str, Any], actor: Any) -> Tenant:
    from shared_apps.billing.models import Plan
    from shared_apps.billing.services import billing_account_open, provisioning_plan
    from shared_apps.superadmin.services import platform_audit_record
    from shared_apps.tenancy.hosts import tenant_host
    from shared_apps.tenancy.models import Domain
    from shared_apps.tenancy.schema_state import forget_states

    with transaction.atomic():
        rewritten = 0
        if manifest["schema"] != slug:
            rewritten = _rewrite_file_keys(schema=slug, old=manifest["schema"], tables=set(manifest["tables"]))
        tenant = Tenant.objects.create(
            schema_name=slug,
            name=manifest["name"] or slug,
            kind=manifest["kind"],
            owner_email=manifest.get("owner_email") or "",
            status=TenantStatus.ACTIVE,
        )
        Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
        plan = Plan.objects.filter(code=manifest.get("plan") or "").first() if manifest.get("plan") else None
        billing_account_open(tenant=tenant, plan=plan or provisioning_plan(None))
        forget_states([slug])  # the next migrate_schemas checks the restored schema in full
        platform_audit_record(
            verb="tenant.imported",
            actor=actor,
            tenant=tenant,
            details={
                "from_slug": manifest["slug"],
                "exported_at": manifest.get("exported_at"),
                "dump_sha256": manifest["dump"]["sha256"],
                "files": len(manifest["files"]),
                "file_keys_rewritten": rewritten,
            },
        )
    return tenant


def _migrate(slug: str) -> None:
    from django.core.management import call_command

    call_command("migrate_schemas", "--tenant", f"--schema={slug}", interactive=False, verbosity=0)
    use_public_schema()
