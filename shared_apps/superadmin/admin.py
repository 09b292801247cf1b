"""The platform console's superadmin pages: the platform's audit log (read-only, searchable by
tenant and verb) and the tenants' usage and health (read-only, sortable by every figure)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register
from shared_apps.superadmin.models import PlatformAuditEntry, TenantHealth


@register(PlatformAuditEntry)
class PlatformAuditEntryAdmin(ServiceModelAdmin):
    """What staff and the platform's jobs did to tenants; nothing here changes it."""

    list_display = ("created_at", "verb", "tenant_slug", "actor_email")
    list_filter = ("verb",)
    search_fields = ("tenant_slug", "actor_email", "verb")
    date_hierarchy = "created_at"
    fields = ("created_at", "verb", "tenant_slug", "tenant_uuid", "actor_email", "details")


@register(TenantHealth)
class TenantHealthAdmin(ServiceModelAdmin):
    """Each tenant's latest usage snapshot (``shared_apps/superadmin/usage.py``), busiest first;
    sort by any column, filter by kind, status, plan and billing status. The collection writes
    these rows (every ``USAGE_COLLECT_SECONDS``, or ``manage.py collect_tenant_usage``)."""

    list_display = (
        "tenant",
        "kind",
        "plan",
        "billing_status",
        "requests_24h",
        "errors_24h",
        "users",
        "active_users_30d",
        "db_bytes",
        "file_bytes",
        "open_tickets",
        "last_activity",
        "collected_at",
    )
    list_filter = ("tenant__kind", "tenant__status", "tenant__billing__plan__code", "tenant__billing__status")
    search_fields = ("tenant__schema_name", "tenant__name")
    ordering = ("-requests_24h",)
    list_select_related = ("tenant", "tenant__billing__plan")
    fields = (
        "tenant",
        "requests_24h",
        "errors_24h",
        "users",
        "active_users_30d",
        "db_bytes",
        "file_bytes",
        "open_tickets",
        "last_activity",
        "collected_at",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("tenant", "tenant__billing__plan")

    @admin.display(ordering="tenant__kind")
    def kind(self, obj: TenantHealth) -> str:
        return str(obj.tenant.kind)

    @admin.display(ordering="tenant__billing__plan__code")
    def plan(self, obj: TenantHealth) -> str:
        billing = getattr(obj.tenant, "billing", None)
        return billing.plan.code if billing is not None and billing.plan is not None else "-"

    @admin.display(ordering="tenant__billing__status")
    def billing_status(self, obj: TenantHealth) -> str:
        billing = getattr(obj.tenant, "billing", None)
        return str(billing.status) if billing is not None else "-"
