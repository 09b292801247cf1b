"""Checks every upload goes through, whichever model stores it (``StoredFile``, avatars, ...):
a size limit and a content type decided by the file's bytes, not its name or declared type."""

from __future__ import annotations

from collections.abc import Collection

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode, PayloadTooLarge, UnsupportedType

#: Image types accepted where only a picture makes sense (avatars); a subset of FILE_ALLOWED_TYPES.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

_TEXT_TYPES = {"text/plain", "text/csv"}


def _unsupported(allowed: Collection[str], detected: str | None = None) -> ApplicationError:
    details: dict[str, object] = {"allowed": [t for t in settings.FILE_ALLOWED_TYPES if t in allowed]}
    if detected:
        details["detected"] = detected
    return UnsupportedType("This kind of file is not accepted.", code=ErrorCode.UNSUPPORTED_FILE_TYPE, details=details)


def sniff_content_type(upload: UploadedFile, *, allowed_types: Collection[str]) -> str:
    """The content type from the file's first 8 KiB (``filetype``), falling back to the declared
    type for UTF-8 plain text, which has no signature. Leaves the file at position 0.

    Raises ``ApplicationError`` ``unsupported_file_type`` (415) when neither fits.
    """
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared in _TEXT_TYPES:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return declared
    raise _unsupported(allowed_types)


def validate_upload(upload: UploadedFile, *, allowed_types: Collection[str] | None = None) -> str:
    """Check ``upload`` and return its content type, detected from its bytes (``"image/png"``).

    ``allowed_types``: accepted content types, default ``FILE_ALLOWED_TYPES``; only those also in
    ``FILE_ALLOWED_TYPES`` are ever accepted. Raises ``ApplicationError``: ``empty_file`` (400),
    ``file_too_large`` (413, over ``FILE_MAX_BYTES`` bytes), ``unsupported_file_type`` (415).
    """
    allowed = set(settings.FILE_ALLOWED_TYPES)
    if allowed_types is not None:
        allowed &= set(allowed_types)
    if upload.size is None or upload.size == 0:
        raise ApplicationError("The file is empty.", code=ErrorCode.EMPTY_FILE)
    if upload.size > settings.FILE_MAX_BYTES:
        raise PayloadTooLarge(
            f"Files may be at most {settings.FILE_MAX_BYTES} bytes.",
            code=ErrorCode.FILE_TOO_LARGE,
            details={"max_bytes": settings.FILE_MAX_BYTES, "size": upload.size},
        )
    content_type = sniff_content_type(upload, allowed_types=allowed)
    if content_type not in allowed:
        raise _unsupported(allowed, content_type)
    return content_type


def extension_for(content_type: str) -> str:
    """The usual file extension of ``content_type`` with its dot (``".png"``), or ``""``."""
    kind = filetype.get_type(mime=content_type)
    return f".{kind.extension}" if kind is not None else ""
