"""Support tickets: a conversation between a site user and the site's support staff.

A ticket is general or linked to one object of the site's domain (a course, an order, a
property) through ``target_type``/``target_id``; only models registered with
``tickets.targets.register_ticket_target`` can be linked. Who may see and change a ticket is
decided by ``tickets.access``: support staff see every ticket, everyone else through the
django-guardian object permissions stored in ``TicketUserObjectPermission``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from guardian.models import UserObjectPermissionBase

from tenant_apps.files.models import StoredFile


class TicketStatus(models.TextChoices):
    """``open``: waiting for support; ``answered``: waiting for the creator; ``closed``: done."""

    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    CLOSED = "closed", "Closed"


class TicketPriority(models.TextChoices):
    """How urgent a ticket is, ``low`` to ``urgent`` (default ``normal``): chosen by the creator, changed by
    support staff (``POST /api/v1/tickets/{id}/priority/``)."""

    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Ticket(models.Model):
    """A support request by ``created_by``, optionally about ``target`` and handled by ``assignee``.

    ``status`` moves by the services only (``services.py``): open on creation and on a reply by
    the creator, answered on a reply by anyone else, closed by ``ticket_close`` until
    ``ticket_reopen``. Times are UTC; ``closed_at`` is set while the ticket is closed.

    ``message_count`` is stored, not counted per read (a list then costs the same at any number
    of messages): the services count the conversation again, under the ticket's row lock, each
    time they add a message.

    Indexes: a list is ordered most recently active first (``-updated_at, -id``), alone or after
    its most used filters (``status``, ``assignee``, ``priority``), so a page and its count read
    an index range instead of sorting or counting the table.
    """

    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    priority = models.CharField(max_length=16, choices=TicketPriority.choices, default=TicketPriority.NORMAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    # indexed by ``tickets_assignee_recent`` (assignee, -updated_at, -id), which also serves lookups by assignee
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # indexed by ``tickets_recent``
    closed_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="Messages of the conversation, the first included; recounted by the services under the row lock.",
    )

    class Meta:
        ordering = ("-updated_at", "-id")
        indexes = [
            models.Index(fields=["-updated_at", "-id"], name="tickets_recent"),
            models.Index(fields=["status", "-updated_at"], name="tickets_status_recent"),
            models.Index(fields=["assignee", "-updated_at", "-id"], name="tickets_assignee_recent"),
            models.Index(fields=["priority", "-updated_at", "-id"], name="tickets_priority_recent"),
            models.Index(fields=["target_type", "target_id"], name="tickets_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target_type__isnull=True, target_id="")
                    | (models.Q(target_type__isnull=False) & ~models.Q(target_id=""))
                ),
                name="tickets_target_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"


class TicketMessage(models.Model):
    """One message of a ticket's conversation; the first one is the ticket's description."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"message {self.pk} on ticket {self.ticket_id}"


class TicketAttachment(models.Model):
    """A stored file attached to a message; whoever may view the ticket may read the file."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="ticket_attachments")

    class Meta:
        ordering = ("id",)
        constraints = [models.UniqueConstraint(fields=["message", "file"], name="tickets_attachment_once")]

    def __str__(self) -> str:
        return f"file {self.file_id} on message {self.message_id}"


class TicketUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user object permissions on tickets, with a real foreign key.

    Guardian finds this model by itself (a "direct" object permission model): rows go away with
    their ticket and lookups join on an integer instead of casting the generic ``object_pk``.
    """

    content_object = models.ForeignKey(Ticket, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False

    def __str__(self) -> str:
        return f"{self.permission.codename} on ticket {self.content_object_id} for {self.user_id}"
