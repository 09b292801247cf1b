"""Messages on writing orders (one schema per site).

An order's thread is shared by its client, its assigned writer, the editors who may see it
(``orders.access``), support and admins (``access.py``). Authors are shown to everyone but staff by
the role they had on the order when writing (``author_role``), never by name.

With ``MessageSettings.block_contact_details`` on (the default), e-mail addresses and phone
numbers are replaced by ``[hidden]`` before a message is stored (``masking.py``); the message is
flagged ``masked`` and its ``original_body`` is kept for support and admins only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenant_apps.files.models import StoredFile
from tenant_apps.writing.orders.models import Order

#: The default region phone numbers without a country code are read in (ISO 3166-1 alpha-2).
DEFAULT_PHONE_REGION = "US"


class AuthorRole(models.TextChoices):
    """What the author was to the order when writing (admins write as ``support``)."""

    CLIENT = "client", "The client"
    WRITER = "writer", "The writer"
    EDITOR = "editor", "An editor"
    SUPPORT = "support", "Support"


class MessageSettings(models.Model):
    """The messages settings of the site (one row, ``pk=1``).

    ``block_contact_details``: mask e-mail addresses and phone numbers in messages (default on);
    ``phone_region``: the region (ISO 3166-1 alpha-2, ``"US"``) numbers without a country code are
    read in.
    """

    block_contact_details = models.BooleanField(default=True)
    phone_region = models.CharField(max_length=2, default=DEFAULT_PHONE_REGION)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "message settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_messages_settings_single_row"),
        ]

    def __str__(self) -> str:
        return "message settings"


class OrderMessage(models.Model):
    """A message of an order's thread: ``body`` as stored (masked when ``masked``), the
    ``original_body`` when masked (support and admins only; empty otherwise)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="writing_order_messages"
    )
    author_role = models.CharField(max_length=16, choices=AuthorRole.choices)
    body = models.TextField(blank=True)
    original_body = models.TextField(blank=True)
    masked = models.BooleanField(default=False)
    attachments = models.ManyToManyField(StoredFile, blank=True, related_name="writing_order_messages")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["order", "created_at"], name="writing_messages_thread"),
            models.Index(fields=["-created_at"], condition=Q(masked=True), name="writing_messages_flagged"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(masked=True) | Q(original_body=""), name="writing_messages_original_when_masked"
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on order {self.order_id}"
