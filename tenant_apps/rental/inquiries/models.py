"""Customer inquiries and their messages (seed 003's inquiries module).

An inquiry is opened by a guest (``created_by``) or by a visitor who leaves an ``email``; it may
name a property or a booking. The site's admins assign it to a customer-service agent, who works
it to resolution. Who may see and change each inquiry is decided by django-guardian object
permissions (``access.py``, stored in ``InquiryUserObjectPermission``); a user without them gets
404.

Life of an inquiry (``InquiryStatus``, the transitions in ``transitions.py``)::

    new --assign--> assigned --start--> in_progress --resolve--> resolved --close--> closed
                                              ^----------reopen-----------/

An admin may reassign an assigned or in-progress inquiry (it becomes ``assigned``) and close one
that is new, assigned or in progress (a closed inquiry may have no agent); see ``transitions.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import UserObjectPermissionBase

from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.properties.models import Property


class InquirySeverity(models.TextChoices):
    """How urgent an inquiry is, as its author sees it."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class InquiryStatus(models.TextChoices):
    """Where an inquiry is (see the module's diagram)."""

    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Inquiry(models.Model):
    """A question or complaint to the site; ``email`` is where answers go (the author's address)."""

    subject = models.CharField(max_length=200)
    message = models.TextField()
    severity = models.CharField(max_length=8, choices=InquirySeverity.choices, default=InquirySeverity.MEDIUM)
    status = models.CharField(max_length=16, choices=InquiryStatus.choices, default=InquiryStatus.NEW)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="rental_inquiries"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField()
    property = models.ForeignKey(Property, null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries")
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="inquiries")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_inquiries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "inquiries"
        indexes = [
            models.Index(fields=["status", "-created_at"], name="inquiries_status_recent"),
            models.Index(fields=["assigned_to", "-created_at"], name="inquiries_assignee_recent"),
            models.Index(fields=["created_by", "-created_at"], name="inquiries_author_recent"),
        ]
        constraints = [
            # a new inquiry has no agent; one being worked (assigned, in progress, resolved) has one;
            # a closed one may have none (an admin may close a new one: spam, a duplicate)
            models.CheckConstraint(
                condition=Q(status=InquiryStatus.NEW, assigned_to__isnull=True)
                | Q(status=InquiryStatus.CLOSED)
                | (~Q(status=InquiryStatus.NEW) & Q(assigned_to__isnull=False)),
                name="inquiries_assigned_unless_new",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class InquiryMessage(models.Model):
    """One message on an inquiry, by its author, an agent or an admin (``author`` ``None``: a
    visitor's message, or an author since deleted)."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"message #{self.pk} on inquiry #{self.inquiry_id}"


class InquiryUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-user object permissions on inquiries, with a real foreign key (as
    tickets have): rows go away with their inquiry and lookups join on an integer."""

    content_object = models.ForeignKey(Inquiry, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False

    def __str__(self) -> str:
        return f"{self.permission.codename} on inquiry {self.content_object_id} for {self.user_id}"
