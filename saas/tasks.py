"""Tasks whose effect applies once, however often their message is delivered.

Celery delivers a message at least once: with ``acks_late`` (``CELERY_TASK_ACKS_LATE``) a message is
acknowledged only after its task returned, so a worker killed mid-task (SIGKILL, OOM, a node lost)
has it delivered again (``CELERY_TASK_REJECT_ON_WORKER_LOST``, the Redis ``visibility_timeout``),
and the outbox relay may publish a row twice if it died before marking it sent. A task whose
effect is in the database therefore records the key of its run with the effect, in one transaction
(Stripe's idempotency keys, applied to our own consumers):

    @shared_task(acks_late=True)
    @effect_once
    def order_complete_task(order_id: int) -> None: ...

``effect_once`` runs the body in ``transaction.atomic()`` after inserting ``ProcessedTask(key=<the
Celery task id>)`` (``INSERT ... ON CONFLICT DO NOTHING``). A delivery whose key is committed already
returns ``None`` without running the body; two deliveries at once serialize on the key's unique
index (the second waits for the first to commit or roll back); a run that raises or is killed
rolls back both, so the next delivery applies the effect. Called directly (not as a task: no task
id), the body just runs.

Effects outside the database (an e-mail handed to SendGrid, a Stripe call) cannot share the
transaction: for those the key is committed after the provider accepted, so a crash in between
sends again (at least once); pass the task id to a provider that takes an idempotency key (Stripe's
``idempotency_key``) to close that gap.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import connection, transaction

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def current_task_id() -> str | None:
    """The Celery task id of the task running now (eager runs included), or None outside a task."""
    from celery import current_task

    request = getattr(current_task, "request", None) if current_task else None
    task_id = getattr(request, "id", None)
    return str(task_id) if task_id else None


def claim_task_key(key: str, task_name: str) -> bool:
    """Insert ``ProcessedTask(key)`` in the current transaction; True if this run holds it now.

    False when the key is committed already (the effect was applied). Must run inside
    ``transaction.atomic()`` with the effect, or the claim means nothing.
    """
    from saas.db.tenant import current_schema
    from shared_apps.outbox.models import ProcessedTask

    table = connection.ops.quote_name(ProcessedTask._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, task, schema_name, processed_at) VALUES (%s, %s, %s, now()) "
            "ON CONFLICT (key) DO NOTHING RETURNING key",
            [key, task_name, current_schema()],
        )
        return cursor.fetchone() is not None


def effect_once(func: F) -> F:
    """Decorate a task's body so that its database effect is applied once per task id (see module)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = current_task_id()
        if key is None:
            return func(*args, **kwargs)
        name = f"{func.__module__}.{func.__qualname__}"
        with transaction.atomic():
            if not claim_task_key(key, name):
                logger.info("task %s (%s) delivered again: its effect is applied already", name, key)
                return None
            return func(*args, **kwargs)

    return cast(F, wrapper)
