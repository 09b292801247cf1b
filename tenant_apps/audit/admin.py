"""The audit log in the tenant admin: read-only (rows are append-only), newest first, with the
changes of each entry shown as JSON."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from saas.admin import ServiceModelAdmin, register
from tenant_apps.audit.models import AuditLogEntry


@register(AuditLogEntry)
class AuditLogEntryAdmin(ServiceModelAdmin):
    """Entries: when, actor, verb, target, IP; filters by verb, actor and date; search by verb,
    actor and target names; the detail shows ``changes``."""

    list_display = ("created_at", "actor_repr", "verb", "target_repr", "ip")
    list_filter = ("verb", ("actor", admin.RelatedOnlyFieldListFilter), "created_at")
    search_fields = ("verb", "actor_repr", "target_repr")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "actor",
        "actor_repr",
        "verb",
        "target_type",
        "target_id",
        "target_repr",
        "ip",
        "changes_json",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditLogEntry]:
        return super().get_queryset(request).select_related("actor", "target_type")

    @admin.display(description="changes")
    def changes_json(self, entry: AuditLogEntry) -> str:
        return format_html("<pre>{}</pre>", json.dumps(entry.changes, indent=2, sort_keys=True, ensure_ascii=False))
