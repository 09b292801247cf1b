"""Live delivery of notifications to open SSE streams.

In-process fan-out: each open stream registers a queue for (schema, user id); ``publish``
puts the serialised notification on every queue of its recipient in the current schema.
"""

from __future__ import annotations

import queue
import threading
from collections import defaultdict
from typing import Any

from saas.db.tenant import current_schema

_lock = threading.Lock()
_subscribers: dict[tuple[str, int], set[queue.SimpleQueue[dict[str, Any]]]] = defaultdict(set)


def event_of(notification: Any) -> dict[str, Any]:
    """The JSON body sent to the stream for ``notification``."""
    return {
        "id": notification.pk,
        "verb": notification.verb,
        "target": ({"type": f"{notification.content_type.app_label}.{notification.content_type.model}",
                    "id": notification.object_id} if notification.content_type_id else None),
        "extra_data": notification.extra_data,
        "read": notification.read,
        "created_at": notification.created_at.isoformat(),
    }


def publish(notification: Any) -> None:
    """Deliver ``notification`` to its recipient's open streams in the current schema."""
    key = (current_schema(), notification.recipient_id)
    with _lock:
        targets = list(_subscribers.get(key, ()))
    event = event_of(notification)
    for q in targets:
        q.put(event)


def subscribe(user_id: int) -> queue.SimpleQueue[dict[str, Any]]:
    """Register a queue receiving ``user_id``'s notifications in the current schema."""
    q: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    with _lock:
        _subscribers[(current_schema(), user_id)].add(q)
    return q


def unsubscribe(user_id: int, q: queue.SimpleQueue[dict[str, Any]], schema: str | None = None) -> None:
    with _lock:
        _subscribers[(schema or current_schema(), user_id)].discard(q)
