"""Files of writing orders (one schema per site).

An ``OrderFile`` links an order to a shared ``files.StoredFile`` (stored, sized and typed by the
files app) with its ``category``:

* ``attachment``: the client's material (instructions, sources), added by the client until the
  order is completed or cancelled, or by support and admins; read by whoever sees the order.
* ``draft``: the assigned writer's work in progress; read by the writer, editors, support and
  admins, never the client.
* ``final``: the paper; added by the assigned writer, or by an editor or admin while in review;
  read like a draft, and by the client once the order is delivered.

Who may do what: ``access.py``; the rules are checked under the order's lock (``services``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tenant_apps.files.models import StoredFile
from tenant_apps.writing.orders.models import Order


class FileCategory(models.TextChoices):
    """What an order file is (see the module)."""

    ATTACHMENT = "attachment", "The client's attachment"
    DRAFT = "draft", "A draft"
    FINAL = "final", "The final paper"


class UploaderRole(models.TextChoices):
    """What the uploader was to the order when uploading."""

    CLIENT = "client", "The client"
    WRITER = "writer", "The writer"
    EDITOR = "editor", "An editor"
    SUPPORT = "support", "Support (or an admin)"


class OrderFile(models.Model):
    """A stored file of an order, in a ``category``; ``uploaded_by`` and ``uploader_role`` say who
    added it (the role is what writers and editors see of a client)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="files")
    file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="writing_order_file")
    category = models.CharField(max_length=16, choices=FileCategory.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="writing_order_files"
    )
    uploader_role = models.CharField(max_length=16, choices=UploaderRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["order", "category", "created_at"], name="writing_files_order_category")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category=FileCategory.ATTACHMENT)
                | models.Q(category=FileCategory.DRAFT)
                | models.Q(category=FileCategory.FINAL),
                name="writing_files_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.file_id} of order {self.order_id}"
