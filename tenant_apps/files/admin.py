"""Uploaded files in the tenant admin: read-only, with a download link signed like the API's
(``services.file_download_url``). Files are never changed or deleted here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from saas.admin import ServiceModelAdmin, register
from tenant_apps.files.models import StoredFile
from tenant_apps.files.services import file_download_url


@register(StoredFile)
class StoredFileAdmin(ServiceModelAdmin):
    """Files: name, owner, size (bytes), content type, upload time; filter by type and date;
    search by name and owner e-mail."""

    list_display = ("original_name", "uploaded_by", "size", "content_type", "created_at")
    list_filter = ("content_type", "created_at")
    search_fields = ("original_name", "uploaded_by__email")
    list_select_related = ("uploaded_by",)
    date_hierarchy = "created_at"
    fields = ("id", "original_name", "uploaded_by", "size", "content_type", "created_at", "download")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[StoredFile]:
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description="download")
    def download(self, stored: StoredFile) -> str:
        return format_html('<a href="{}">Download (link valid for a limited time)</a>', file_download_url(stored))
