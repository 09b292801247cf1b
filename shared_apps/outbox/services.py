"""The transactional outbox: a task is recorded with the change that caused it, then published.

Sources: the transactional outbox pattern (microservices.io, "Pattern: Transactional outbox"),
Stripe's idempotency guidance (a key stored with the effect), Celery's ``acks_late`` and
``reject_on_worker_lost``.

Flow:

1. ``outbox_enqueue(task, args, kwargs)`` (called by ``saas.db.tenant.enqueue_on_commit``) inserts an
   ``OutboxMessage`` in the current transaction, on the tenant's connection: a rolled-back change
   leaves no row, a committed one always leaves one, whatever the broker does.
2. After commit (``transaction.on_commit``), the fast path publishes that row at once
   (``outbox_publish``) and marks it sent. A broker error is logged and recorded on the row
   (``attempts``, ``last_error``, ``available_at`` later): the request that caused it has committed
   and answers normally.
   A sent row keeps no arguments (``payload`` emptied): what a task carries (a login code in an
   e-mail's text) stays at rest only while the row waits.
3. The relay (``outbox_relay``: the beat entry ``outbox-relay`` every 10 s, or ``manage.py
   outbox_relay``) publishes what is unsent and due, oldest first, in batches locked with
   ``SELECT ... FOR NO KEY UPDATE SKIP LOCKED`` (two relays, or a relay and a fast path, never publish
   one row at the same time), then deletes old sent rows and old ``ProcessedTask`` keys.

Delivery is at least once: a process that dies between the broker accepting a message and the
row being marked sent publishes it again later, with the same Celery task id (the row's
``task_id``). Consumers whose effect is in the database dedupe by it (``saas.tasks.effect_once``).

Eager mode (``CELERY_TASK_ALWAYS_EAGER``: tests, ``make run`` without Redis): the fast path marks
the row sent and runs the task in-process exactly as ``task.delay`` did, its exceptions included.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.utils.json import dumps as kombu_dumps
from kombu.utils.json import loads as kombu_loads

from saas.db.tenant import current_schema
from shared_apps.outbox.models import OutboxMessage, ProcessedTask

logger = logging.getLogger(__name__)

#: The message header naming the schema a task runs in (tenant-schemas-celery's).
SCHEMA_HEADER = "_schema_name"


@dataclass(frozen=True)
class RelayReport:
    """What one ``outbox_relay`` run did: rows published, publications that failed (0 or 1: a run
    stops at the first failure, the broker being down for the rest too), sent rows and
    ``ProcessedTask`` keys deleted."""

    sent: int
    failed: int
    deleted: int


def _celery_app() -> Any:
    from saas.celery import app

    return app


def outbox_runs_eagerly() -> bool:
    """True when tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``: tests, ``make run`` without Redis)."""
    return bool(_celery_app().conf.task_always_eager)


def outbox_enqueue(
    task: Any, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, *, delay_seconds: float = 0
) -> OutboxMessage:
    """Record ``task(*args, **kwargs)`` for the current schema in the current transaction; return the row.

    ``task`` is a Celery task (its registered ``name`` is stored). ``args`` and ``kwargs`` must be
    what Celery's JSON serializer accepts (raises ``TypeError`` otherwise, before anything is
    written). The request id being served, if any, goes into the row's headers, so the task's log
    lines carry it whenever it is published. Publishing is the caller's (``outbox_publish`` after
    commit) or the relay's; with ``delay_seconds``, the relay's once that time has passed.
    """
    from saas.logs import TASK_HEADER, current_request_id

    payload = json.loads(kombu_dumps({"args": list(args), "kwargs": dict(kwargs or {})}))
    request_id = current_request_id()
    return OutboxMessage.objects.create(
        schema_name=current_schema(),
        task=str(task.name),
        payload=payload,
        headers={TASK_HEADER: request_id} if request_id else {},
        available_at=timezone.now() + timedelta(seconds=delay_seconds),
    )


def _backoff(attempts: int) -> timedelta:
    """The wait before the next publication after ``attempts`` failed ones: doubling from
    ``OUTBOX_RETRY_SECONDS``, at most ``OUTBOX_RETRY_MAX_SECONDS``."""
    seconds = min(settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=seconds)


def _send(message: OutboxMessage, task: Any = None, args: Any = None, kwargs: Any = None) -> None:
    """Hand ``message`` to the broker (or run it, eagerly), in its schema, with its task id."""
    app = _celery_app()
    if args is None or kwargs is None:
        decoded = kombu_loads(json.dumps(message.payload))
        args, kwargs = decoded.get("args", []), decoded.get("kwargs", {})
    headers = {**(message.headers or {}), SCHEMA_HEADER: message.schema_name}
    options: dict[str, Any] = {"task_id": str(message.task_id), "headers": headers}
    task = task if task is not None else app.tasks.get(message.task)
    if task is None:  # not imported in this process: by name (a worker knows it)
        app.send_task(message.task, args=args, kwargs=kwargs, retry=False, **options)
    else:
        # No publish retries: a failure is recorded on the row and the relay retries with backoff.
        task.apply_async(args=args, kwargs=kwargs, retry=False, **options)


def _record_failure(message: OutboxMessage, exc: BaseException) -> None:
    message.attempts += 1
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.available_at = timezone.now() + _backoff(message.attempts)
    message.save(update_fields=["attempts", "last_error", "available_at"])
    logger.warning(
        "outbox: publishing %s (%s, %s) failed, attempt %d; retried from %s",
        message.task,
        message.task_id,
        message.schema_name,
        message.attempts,
        message.available_at.isoformat(),
        exc_info=True,
    )


def outbox_publish(message_id: int, task: Any = None, args: Any = None, kwargs: Any = None) -> bool:
    """Publish the unsent outbox row ``message_id`` now and mark it sent; True when published here.

    False when the row is sent already, locked by a relay publishing it, or the broker refused it
    (logged, recorded on the row for the relay; nothing raised). ``task``, ``args`` and ``kwargs``
    may be given by the caller that has them in memory (the fast path) instead of decoding the row.
    Eager: marks the row sent and runs the task in-process; the task's exceptions propagate.
    """
    if outbox_runs_eagerly():
        message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
        if message is None:
            return False
        OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), payload={})
        _send(message, task, args, kwargs)
        return True
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(no_key=True, skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        try:
            _send(message, task, args, kwargs)
        except Exception as exc:
            _record_failure(message, exc)
            return False
        message.sent_at, message.payload = timezone.now(), {}
        message.save(update_fields=["sent_at", "payload"])
    return True


def outbox_relay(*, batch_size: int | None = None) -> RelayReport:
    """Publish every unsent row whose ``available_at`` has come, oldest first; then clean up.

    Batches of ``batch_size`` rows (default ``OUTBOX_RELAY_BATCH``), each locked ``FOR NO KEY UPDATE SKIP
    LOCKED`` and marked sent in its own transaction. Stops at the first failed publication (the
    broker is down: the rest would fail too), which is recorded on its row with backoff. Then
    deletes sent rows older than ``OUTBOX_KEEP_SENT_HOURS`` and ``ProcessedTask`` keys older than
    ``OUTBOX_KEEP_PROCESSED_DAYS``. Runs in any schema (the tables are public). Returns a
    ``RelayReport``.
    """
    size = batch_size or settings.OUTBOX_RELAY_BATCH
    sent = failed = 0
    while not failed:
        moment = timezone.now()
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(no_key=True, skip_locked=True)
                .filter(sent_at__isnull=True, available_at__lte=moment)
                .order_by("available_at", "id")[:size]
            )
            published: list[int] = []
            for message in batch:
                try:
                    _send(message)
                except Exception as exc:
                    _record_failure(message, exc)
                    failed = 1
                    break
                published.append(message.pk)
            if published:
                OutboxMessage.objects.filter(pk__in=published).update(sent_at=timezone.now(), payload={})
            sent += len(published)
        if len(batch) < size:
            break
    deleted = outbox_cleanup()
    if sent or failed:
        logger.info("outbox relay: %d sent, %d failed, %d deleted", sent, failed, deleted)
    return RelayReport(sent=sent, failed=failed, deleted=deleted)


def outbox_cleanup() -> int:
    """Delete sent rows older than ``OUTBOX_KEEP_SENT_HOURS`` and ``ProcessedTask`` keys older
    than ``OUTBOX_KEEP_PROCESSED_DAYS``; returns how many rows went."""
    now = timezone.now()
    sent, _ = OutboxMessage.objects.filter(
        sent_at__isnull=False, sent_at__lt=now - timedelta(hours=settings.OUTBOX_KEEP_SENT_HOURS)
    ).delete()
    keys, _ = ProcessedTask.objects.filter(
        processed_at__lt=now - timedelta(days=settings.OUTBOX_KEEP_PROCESSED_DAYS)
    ).delete()
    return sent + keys


def outbox_lag_seconds() -> float:
    """How long the oldest row that should have been published has waited (seconds), 0.0 when none:
    the number to watch (and alert on) while the broker is down. Rows enqueued for later
    (``enqueue_later``) count only once due."""
    now = timezone.now()
    oldest = (
        OutboxMessage.objects.filter(Q(attempts__gt=0) | Q(available_at__lte=now), sent_at__isnull=True)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
