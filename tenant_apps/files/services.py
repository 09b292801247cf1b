"""Storing uploads and handing out download URLs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from saas.billing import plan_slot
from saas.db.tenant import current_schema, site_url
from saas.errors import ErrorCode, NotFound, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.files.models import StoredFile
from tenant_apps.files.storage import key_belongs_to_current_tenant
from tenant_apps.files.validators import validate_upload

_SIGNING_SALT = "files.download"
_KEY_SIGNING_SALT = "files.download.key"


def file_store(*, upload: UploadedFile, uploaded_by: Any) -> StoredFile:
    """Validate and store ``upload`` under the tenant's prefix; returns the ``StoredFile``.

    The type is decided by the file's content, not its name or declared type. The upload's size
    (bytes) counts against the plan's ``storage_mb`` (``saas.billing.plan_slot``, checked before
    anything is stored). Raises ``ApplicationError``: ``file_too_large`` (413, ``FILE_MAX_BYTES``),
    ``empty_file`` (400), ``unsupported_file_type`` (415, ``FILE_ALLOWED_TYPES``);
    ``PermissionDenied`` 403 ``plan_limit_reached`` (nothing stored, no row, no audit entry).
    """
    content_type = validate_upload(upload)
    size = int(upload.size or 0)  # validate_upload refused empty uploads
    with transaction.atomic():
        plan_slot("storage_mb", adding=size)
        stored = StoredFile(
            original_name=(upload.name or "file")[-255:], content_type=content_type, size=size, uploaded_by=uploaded_by
        )
        stored.file.save(upload.name or "file", upload, save=False)
        stored.save()
        audit_record(
            actor=uploaded_by, verb="file.uploaded", target=stored, changes={"size": size, "content_type": content_type}
        )
    return stored


def file_download_url(stored_file: StoredFile) -> str:
    """An absolute URL that serves the file for ``FILE_URL_TTL_SECONDS``.

    S3: the storage's pre-signed URL. Local disk: our download view on the site's primary
    domain (``site_url``, never the request's Host), with a signature binding the file id to
    this tenant, checked by ``file_from_signature``.
    """
    if settings.AWS_STORAGE_BUCKET_NAME:
        return str(stored_file.file.url)
    token = signing.dumps({"f": str(stored_file.pk), "t": current_schema()}, salt=_SIGNING_SALT)
    return site_url(reverse("file-download", kwargs={"pk": stored_file.pk}) + f"?signature={token}")


def file_from_signature(*, pk: str, signature: str) -> StoredFile:
    """The file a local download URL names, if its signature is valid, unexpired and for this
    tenant; raises ``ApplicationError`` ``invalid_signature`` (403) otherwise, ``Http404``-like
    ``not_found`` (404) when the file is gone."""
    try:
        data = signing.loads(signature, salt=_SIGNING_SALT, max_age=settings.FILE_URL_TTL_SECONDS)
    except signing.BadSignature:
        raise PermissionDenied(
            "This download link is invalid or has expired.", code=ErrorCode.INVALID_SIGNATURE
        ) from None
    if data.get("f") != str(pk) or data.get("t") != current_schema():
        raise PermissionDenied("This download link is invalid or has expired.", code=ErrorCode.INVALID_SIGNATURE)
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None:
        raise NotFound("No such file.")
    return stored


def storage_url(key: str) -> str:
    """A URL that serves the stored object ``key`` (a tenant-prefixed storage key that no
    ``StoredFile`` describes, such as an avatar) for ``FILE_URL_TTL_SECONDS``.

    S3: the storage's pre-signed URL. Local disk: ``GET /api/v1/files/download/?signature=...``
    on the site's primary domain (``site_url``), the signature binding the key to this tenant.
    """
    if settings.AWS_STORAGE_BUCKET_NAME:
        return str(default_storage.url(key))
    token = signing.dumps({"k": key, "t": current_schema()}, salt=_KEY_SIGNING_SALT)
    return site_url(reverse("file-key-download") + f"?signature={token}")


def key_from_signature(*, signature: str) -> str:
    """The storage key a ``storage_url`` names, if its signature is valid, unexpired, for this
    tenant and the key lies under this tenant's prefix; raises ``ApplicationError``
    ``invalid_signature`` (403) otherwise, ``not_found`` (404) when the object is gone."""
    invalid = PermissionDenied("This download link is invalid or has expired.", code=ErrorCode.INVALID_SIGNATURE)
    try:
        data = signing.loads(signature, salt=_KEY_SIGNING_SALT, max_age=settings.FILE_URL_TTL_SECONDS)
    except signing.BadSignature:
        raise invalid from None
    key = data.get("k")
    if not isinstance(key, str) or data.get("t") != current_schema() or not key_belongs_to_current_tenant(key):
        raise invalid
    if not default_storage.exists(key):
        raise NotFound("No such file.")
    return key
