"""Notification payloads: the same shape in the list, the mark-read answers and the SSE stream.

A notification is only ever serialized for its recipient, and the payload names its target by
type and id only: nothing of the recipient's or another user's profile is in it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenant_apps.notifications.models import Notification


class NotificationTargetSerializer(serializers.Serializer):
    """What the notification is about: ``{"type": "<app_label>.<model>", "id": "<pk>"}``."""

    type = serializers.CharField(help_text='"<app_label>.<model>", e.g. "tickets.ticket".')
    id = serializers.CharField()


class NotificationSerializer(serializers.ModelSerializer):
    """A notification as its recipient sees it."""

    target = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ("id", "verb", "target", "extra_data", "read", "created_at")
        read_only_fields = fields

    @extend_schema_field(NotificationTargetSerializer(allow_null=True))
    def get_target(self, notification: Notification) -> dict[str, str] | None:
        content_type = notification.content_type if notification.content_type_id else None
        if content_type is None:
            return None
        return {"type": f"{content_type.app_label}.{content_type.model}", "id": notification.object_id}


def notification_payload(notification: Notification) -> dict[str, Any]:
    """The JSON-ready dict for ``notification`` (list item, stream event ``data``)."""
    return dict(NotificationSerializer(notification).data)


class NotificationFilterSerializer(serializers.Serializer):
    """Query parameters of the list."""

    read = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only read (true) or unread (false) notifications."
    )


class CountSerializer(serializers.Serializer):
    """``{"count": n}``."""

    count = serializers.IntegerField(min_value=0)
