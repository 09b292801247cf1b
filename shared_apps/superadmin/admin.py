"""The platform's audit log in the platform console: read-only, searchable by tenant and verb."""

from __future__ import annotations

from saas.admin import ServiceModelAdmin, register
from shared_apps.superadmin.models import PlatformAuditEntry


@register(PlatformAuditEntry)
class PlatformAuditEntryAdmin(ServiceModelAdmin):
    """What staff and the platform's jobs did to tenants; nothing here changes it."""

    list_display = ("created_at", "verb", "tenant_slug", "actor_email")
    list_filter = ("verb",)
    search_fields = ("tenant_slug", "actor_email", "verb")
    date_hierarchy = "created_at"
    fields = ("created_at", "verb", "tenant_slug", "tenant_uuid", "actor_email", "details")
