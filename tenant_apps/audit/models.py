"""The audit log: one append-only row per state change made through a service."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditLogEntry(models.Model):
    """``actor`` did ``verb`` to ``target`` at ``created_at`` (UTC) from ``ip``.

    ``changes`` is a JSON object of what changed (``{"status": ["open", "closed"]}``) or extra
    context. ``actor_repr`` and ``target_repr`` keep a readable name after the rows are gone.
    Rows are never updated or deleted by the application.
    """

    created_at = models.DateTimeField(auto_now_add=True)  # indexed by ``audit_recent``
    # indexed by ``audit_actor_recent`` (actor, -created_at, -id), which also serves lookups by actor
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    actor_repr = models.CharField(max_length=254, blank=True)
    verb = models.CharField(max_length=64, db_index=True, help_text='Dotted action name, e.g. "ticket.closed".')
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "audit log entries"
        ordering = ("-created_at", "-id")
        indexes = [
            # the log newest first (and the ``since``/``until`` range), and one actor's entries
            models.Index(fields=["-created_at", "-id"], name="audit_recent"),
            models.Index(fields=["actor", "-created_at", "-id"], name="audit_actor_recent"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_repr or 'system'} {self.verb} {self.target_repr}".strip()
