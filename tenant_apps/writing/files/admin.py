"""The writing site's admin of order files: attachments, drafts and finals (read-only: uploaded and
removed through the API, which checks who may see each category)."""

from __future__ import annotations

from saas.admin import ServiceModelAdmin, register
from tenant_apps.writing.files.models import OrderFile


@register(OrderFile)
class OrderFileAdmin(ServiceModelAdmin):
    """Order files (read-only)."""

    list_display = ("id", "order", "category", "file", "uploaded_by", "uploader_role", "created_at")
    list_filter = ("category", "uploader_role", "created_at")
    search_fields = ("order__number", "uploaded_by__email", "file__original_name")
    list_select_related = ("order", "file", "uploaded_by")
    date_hierarchy = "created_at"
