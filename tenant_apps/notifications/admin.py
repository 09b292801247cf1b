"""In-app notifications in the tenant admin: a read-only list (who was told what, read or not)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from saas.admin import ServiceModelAdmin, register
from tenant_apps.notifications.models import Notification


@register(Notification)
class NotificationAdmin(ServiceModelAdmin):
    """Notifications: recipient, verb, read, time; filters by read and date; search by
    recipient e-mail and verb."""

    list_display = ("created_at", "recipient", "verb", "read")
    list_filter = ("read", "created_at")  # no distinct-verb filter: a scan of the whole table; search by verb
    search_fields = ("recipient__email", "verb")
    list_select_related = ("recipient",)
    fields = ("created_at", "recipient", "verb", "content_type", "object_id", "read", "extra_data_json")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).select_related("recipient", "content_type")

    @admin.display(description="extra data")
    def extra_data_json(self, notification: Notification) -> str:
        return format_html("<pre>{}</pre>", json.dumps(notification.extra_data, indent=2, sort_keys=True))
