"""In-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Notification(models.Model):
    """``recipient`` is told that ``verb`` happened to ``content_object`` (optional).

    ``extra_data`` is a JSON object for the client (ids, short texts); it must hold nothing the
    recipient may not see.
    """

    # indexed by ``notif_recipient_recent`` (recipient, -created_at, -id), which also serves lookups by recipient
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    verb = models.CharField(max_length=64, help_text='Dotted event name, e.g. "ticket.replied".')
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    content_object = GenericForeignKey("content_type", "object_id")
    extra_data = models.JSONField(default=dict, blank=True)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            # a recipient's list, newest first; with ``?read=`` and the unread count, the second
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_recent"),
            models.Index(fields=["recipient", "read", "-created_at"], name="notif_recipient_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} for {self.recipient_id}"
