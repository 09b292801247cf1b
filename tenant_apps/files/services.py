"""Storing uploads and handing out download URLs."""

from __future__ import annotations

from typing import Any

import filetype
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse

from saas.api.errors import ApplicationError
from saas.db.tenant import current_schema, site_url
from tenant_apps.audit.services import audit_record
from tenant_apps.files.models import StoredFile

_TEXT_TYPES = {"text/plain", "text/csv"}
_SIGNING_SALT = "files.download"


def _sniff(upload: UploadedFile) -> str:
    """The content type from the file's bytes (``filetype``), falling back to the declared type
    for plain text, which has no signature; raises ``unsupported_file_type`` when neither fits."""
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if kind is not None:
        return str(kind.mime)
    if declared in _TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return declared
    raise ApplicationError("This kind of file is not accepted.", code="unsupported_file_type", status_code=415,
                           details={"allowed": settings.FILE_ALLOWED_TYPES})


def file_store(*, upload: UploadedFile, uploaded_by: Any) -> StoredFile:
    """Validate and store ``upload`` under the tenant's prefix; returns the ``StoredFile``.

    The type is decided by the file's content, not its name or declared type. Raises
    ``ApplicationError``: ``file_too_large`` (413, ``FILE_MAX_BYTES``), ``empty_file`` (400),
    ``unsupported_file_type`` (415, ``FILE_ALLOWED_TYPES``).
    """
    if upload.size is None or upload.size == 0:
        raise ApplicationError("The file is empty.", code="empty_file")
    if upload.size > settings.FILE_MAX_BYTES:
        raise ApplicationError(
            f"Files may be at most {settings.FILE_MAX_BYTES} bytes.", code="file_too_large", status_code=413,
            details={"max_bytes": settings.FILE_MAX_BYTES, "size": upload.size},
        )
    content_type = _sniff(upload)
    if content_type not in settings.FILE_ALLOWED_TYPES:
        raise ApplicationError("This kind of file is not accepted.", code="unsupported_file_type",
                               status_code=415, details={"detected": content_type,
                                                         "allowed": settings.FILE_ALLOWED_TYPES})
    with transaction.atomic():
        stored = StoredFile(original_name=(upload.name or "file")[-255:], content_type=content_type,
                            size=upload.size, uploaded_by=uploaded_by)
        stored.file.save(upload.name or "file", upload, save=False)
        stored.save()
        audit_record(actor=uploaded_by, verb="file.uploaded", target=stored,
                     changes={"size": upload.size, "content_type": content_type})
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
        raise ApplicationError("This download link is invalid or has expired.", code="invalid_signature",
                               status_code=403) from None
    if data.get("f") != str(pk) or data.get("t") != current_schema():
        raise ApplicationError("This download link is invalid or has expired.", code="invalid_signature",
                               status_code=403)
    stored = StoredFile.objects.filter(pk=pk).first()
    if stored is None:
        raise ApplicationError("No such file.", code="not_found", status_code=404)
    return stored
