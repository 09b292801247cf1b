"""Serializer fields for files stored on a model's own ``FileField`` / ``ImageField`` (not as a
``StoredFile``), validated and served like the files app's uploads."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from tenant_apps.files.services import storage_url
from tenant_apps.files.validators import IMAGE_TYPES, extension_for, validate_upload


class UploadedImageField(serializers.ImageField):
    """An image upload (PNG, JPEG, GIF, WebP) in, a short-lived URL out.

    Input: ``validate_upload`` (``FILE_MAX_BYTES``, type from the bytes, ``IMAGE_TYPES`` only)
    runs before Pillow opens the file; the stored name becomes ``<basename><extension of the
    detected type>`` (``avatar.png``), so a name never contradicts the content. Errors are the
    files app's: ``empty_file`` (400), ``file_too_large`` (413), ``unsupported_file_type`` (415);
    a file Pillow cannot read is a 400 ``validation_error``.

    Output: ``files.services.storage_url`` (the primary domain, signed; or S3 pre-signed), or
    ``None`` when there is no file.
    """

    def __init__(self, *, basename: str = "image", **kwargs: Any) -> None:
        self.basename = basename
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "size") and hasattr(data, "read"):
            content_type = validate_upload(data, allowed_types=IMAGE_TYPES)
            data.name = f"{self.basename}{extension_for(content_type)}"
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> str | None:
        if not value or not value.name:
            return None
        return storage_url(value.name)
