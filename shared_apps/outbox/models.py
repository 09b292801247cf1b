"""The transactional outbox's tables (public schema, written through any tenant's connection).

Both tables live in the public schema, which is on every tenant connection's ``search_path``: a
service serving tenant X inserts its ``OutboxMessage`` in the same transaction, on the same
connection, as the change that caused it, so the two commit or roll back together. The row names
the schema the task must run in (``schema_name``), not a foreign key: a message outlives nothing
it does not need, and sent rows are deleted after ``OUTBOX_KEEP_SENT_HOURS``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One task to hand to the broker once the transaction that recorded it has committed.

    ``task`` is the Celery task's registered name, ``payload`` its ``{"args": [...], "kwargs": {...}}``
    as kombu's JSON encodes them (dates and decimals keep their type marker; emptied once the row is
    sent, so arguments such as a login code do not stay at rest), ``headers`` the message
    headers to send with it (the request id, ``saas.logs.TASK_HEADER``). ``task_id`` is the Celery
    task id every publication of this row uses: a worker dedupes a second delivery by it
    (``ProcessedTask``). ``sent_at`` stays null until the broker accepted the message; a failed
    publication adds one to ``attempts``, keeps ``last_error`` and moves ``available_at`` later
    (exponential backoff).
    """

    created_at = models.DateTimeField(default=timezone.now)
    schema_name = models.CharField(max_length=63)
    task = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    headers = models.JSONField(default=dict, blank=True)
    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    available_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("id",)
        indexes = [
            # the relay's question: the unsent rows due now, oldest first (sent rows are not indexed)
            models.Index(fields=["available_at", "id"], condition=Q(sent_at__isnull=True), name="outbox_unsent_idx"),
            models.Index(fields=["sent_at"], condition=Q(sent_at__isnull=False), name="outbox_sent_idx"),
        ]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else f"unsent ({self.attempts} attempts)"
        return f"{self.task} in {self.schema_name}: {state}"


class ProcessedTask(models.Model):
    """The key of a task run whose effect was committed (``saas.tasks.effect_once``).

    Inserted in the transaction of the effect: either both are committed or neither is, so a
    delivery that finds its key knows the effect is there, and one that does not knows it is not.
    ``key`` is the Celery task id (an outbox row's ``task_id``).
    """

    key = models.CharField(max_length=255, primary_key=True)
    task = models.CharField(max_length=200)
    schema_name = models.CharField(max_length=63)
    processed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.task} {self.key} in {self.schema_name}"
