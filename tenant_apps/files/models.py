"""Files uploaded to a tenant site."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from tenant_apps.files.storage import upload_to


class StoredFile(models.Model):
    """One uploaded file: its storage key (``file.name``, tenant-prefixed) and what we know of it.

    Other apps point at it (ticket attachments, payment receipts) and decide who may read it
    through ``tenant_apps.files.access``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(upload_to=upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="uploaded_files"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.original_name
