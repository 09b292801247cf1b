"""Export and import as jobs (``TenantExport``, ``TenantImport``): requested by staff through the
API (the request returns at once, 202), run by a Celery task in the public schema, polled for
``progress``/``step``/``status``.

* ``export_request`` -> ``tenant_export_task`` -> ``export_run``: the archive is written to a
  temporary file (hashed on the way), then saved to the default storage (S3 or ``MEDIA_ROOT``)
  under ``_platform/exports/<slug>/<id>.tar``: outside every tenant's ``<schema>/`` prefix, so no
  tenant's file check serves it and no purge lists it. Staff download it from
  ``GET /api/v1/tenant-exports/{id}/download/`` (streamed from the storage).
* ``import_request`` -> ``tenant_import_task`` -> ``import_run``: the archive is an upload (saved
  first under ``_platform/imports/<uuid>.tar``) or a finished export; it is read from the storage
  as a stream.

Each job records its outcome on its row; a failure is ``failed`` with the ``ErrorCode`` and message
the service raised (``server_error`` and a generic message for anything unexpected, logged), and
writes a platform audit entry only on success (``tenant.exported``, and the import's
``tenant.imported``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
import uuid
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from saas.db.tenant import enqueue_on_commit, use_public_schema
from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound
from shared_apps.superadmin.models import PortabilityJobStatus, TenantExport, TenantImport
from shared_apps.tenancy.models import Tenant

logger = logging.getLogger(__name__)

EXPORTS_PREFIX = "_platform/exports"
IMPORTS_PREFIX = "_platform/imports"


class _HashingWriter:
    """A write-only file object over ``raw`` that hashes (sha256) and counts what goes through."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)


def _progress(model: type[TenantExport] | type[TenantImport], pk: int) -> Any:
    def report(percent: int, step: str) -> None:
        model.objects.filter(pk=pk).update(progress=max(0, min(100, percent)), step=step[:40])

    return report


def _fail(model: type[TenantExport] | type[TenantImport], pk: int, exc: BaseException) -> None:
    if isinstance(exc, ApplicationError):
        code, message = str(exc.code), exc.message
    else:
        logger.exception("%s %s failed", model.__name__, pk)
        code, message = ErrorCode.SERVER_ERROR, "The job failed unexpectedly; the platform's logs say why."
    model.objects.filter(pk=pk).update(
        status=PortabilityJobStatus.FAILED, error_code=code, error=message[:2000], finished_at=timezone.now()
    )


def _start(model: type[TenantExport] | type[TenantImport], pk: int) -> bool:
    """Mark a queued job running; False when it is not queued (a redelivered task: done already)."""
    return bool(
        model.objects.filter(pk=pk, status=PortabilityJobStatus.QUEUED).update(
            status=PortabilityJobStatus.RUNNING, started_at=timezone.now(), step="starting"
        )
    )


def export_request(*, tenant_slug: str, actor: Any) -> TenantExport:
    """Queue an export of tenant ``tenant_slug`` by the staff ``actor``; returns the job (``queued``).
    Raises ``NotFound`` ``unknown_tenant`` (404)."""
    use_public_schema()
    tenant = Tenant.objects.filter(schema_name=tenant_slug).first()
    if tenant is None:
        raise NotFound(f"No tenant {tenant_slug!r}.", code=ErrorCode.UNKNOWN_TENANT)
    from shared_apps.superadmin.tasks import tenant_export_task

    with transaction.atomic():
        job = TenantExport.objects.create(tenant=tenant, tenant_slug=tenant.schema_name, requested_by=actor)
        enqueue_on_commit(tenant_export_task, job.pk)
    return job


def export_run(export_id: int) -> None:
    """Run the queued export ``export_id`` (the task's body); its outcome is on its row."""
    from shared_apps.superadmin.portability.export import tenant_export
    from shared_apps.superadmin.services import platform_audit_record

    if not _start(TenantExport, export_id):
        return
    job = TenantExport.objects.select_related("tenant", "requested_by").get(pk=export_id)
    key = f"{EXPORTS_PREFIX}/{job.tenant_slug}/{job.pk}.tar"
    saved = ""
    try:
        if job.tenant is None:
            raise NotFound(f"The tenant {job.tenant_slug!r} no longer exists.", code=ErrorCode.UNKNOWN_TENANT)
        with tempfile.TemporaryFile(prefix="tenant-archive-") as spool:
            writer = _HashingWriter(spool)
            manifest = tenant_export(tenant=job.tenant, target=writer, progress=_progress(TenantExport, job.pk))  # type: ignore[arg-type]
            spool.seek(0)
            TenantExport.objects.filter(pk=job.pk).update(step="storing")
            default_storage.delete(key)
            saved = default_storage.save(key, File(spool, name=key))
        with transaction.atomic():
            TenantExport.objects.filter(pk=job.pk).update(
                status=PortabilityJobStatus.DONE,
                progress=100,
                step="done",
                archive_key=saved,
                size=writer.size,
                sha256=writer.sha256.hexdigest(),
                finished_at=timezone.now(),
            )
            platform_audit_record(
                verb="tenant.exported",
                actor=job.requested_by,
                tenant=job.tenant,
                details={
                    "export": job.pk,
                    "size": writer.size,
                    "sha256": writer.sha256.hexdigest(),
                    "tables": len(manifest["tables"]),
                    "files": len(manifest["files"]),
                },
            )
    except Exception as exc:
        if saved:
            with contextlib.suppress(Exception):
                default_storage.delete(saved)
        _fail(TenantExport, job.pk, exc)


def import_request(
    *, slug: str, actor: Any, upload: File[bytes] | None = None, export_id: int | None = None
) -> TenantImport:
    """Queue an import as tenant ``slug`` of an uploaded archive (``upload``) or of the finished
    export ``export_id`` (exactly one); returns the job (``queued``). What the archive holds is
    checked by the job (its ``error_code`` says why it failed).

    Raises ``ApplicationError`` ``invalid_slug`` / ``reserved_slug`` (400), ``slug_taken`` (409),
    ``NotFound`` (404, no such export), ``export_not_ready`` (409, the export is not done)."""
    from django_tenants.utils import schema_exists

    from shared_apps.superadmin.tasks import tenant_import_task
    from shared_apps.tenancy.validators import validate_slug

    validate_slug(slug)
    use_public_schema()
    if Tenant.objects.filter(schema_name=slug).exists() or schema_exists(slug):
        raise Conflict(
            f"The slug {slug!r} is taken.",
            code=ErrorCode.SLUG_TAKEN,
            details={"slug": ["A site with this slug exists."]},
        )
    export = None
    if export_id is not None:
        export = TenantExport.objects.filter(pk=export_id).first()
        if export is None:
            raise NotFound(f"No export {export_id}.")
        if export.status != PortabilityJobStatus.DONE or not export.archive_key:
            raise Conflict(f"Export {export_id} is {export.status}.", code=ErrorCode.EXPORT_NOT_READY)
        key = export.archive_key
    else:
        assert upload is not None
        key = default_storage.save(f"{IMPORTS_PREFIX}/{uuid.uuid4().hex}.tar", upload)
    with transaction.atomic():
        job = TenantImport.objects.create(slug=slug, export=export, archive_key=key, requested_by=actor)
        enqueue_on_commit(tenant_import_task, job.pk)
    return job


def import_run(import_id: int) -> None:
    """Run the queued import ``import_id`` (the task's body); its outcome is on its row. An uploaded
    archive is deleted afterwards (an export's is kept)."""
    from shared_apps.superadmin.portability.restore import tenant_import

    if not _start(TenantImport, import_id):
        return
    job = TenantImport.objects.select_related("requested_by").get(pk=import_id)
    try:
        with default_storage.open(job.archive_key, "rb") as source:
            tenant = tenant_import(
                source=source, slug=job.slug, actor=job.requested_by, progress=_progress(TenantImport, job.pk)
            )
        TenantImport.objects.filter(pk=job.pk).update(
            status=PortabilityJobStatus.DONE, progress=100, step="done", tenant=tenant, finished_at=timezone.now()
        )
    except Exception as exc:
        _fail(TenantImport, job.pk, exc)
    finally:
        if job.export_id is None and job.archive_key.startswith(f"{IMPORTS_PREFIX}/"):
            with contextlib.suppress(Exception):
                default_storage.delete(job.archive_key)
