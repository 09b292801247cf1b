"""Creating notifications and publishing them to the recipient's live stream."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from tenant_apps.notifications.models import Notification


def notify(*, recipient: Any, verb: str, target: models.Model | None = None,
           extra_data: dict[str, Any] | None = None) -> Notification:
    """Create a notification for ``recipient`` and publish it to their SSE stream after commit.

    ``verb`` is a dotted event name; ``extra_data`` a JSON-serialisable dict safe for the
    recipient to see.
    """
    notification = Notification.objects.create(
        recipient=recipient, verb=verb,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        extra_data=extra_data or {},
    )
    transaction.on_commit(lambda: publish(notification))
    return notification


def publish(notification: Notification) -> None:
    """Push ``notification`` to its recipient's open streams (see ``broker.py``)."""
    from tenant_apps.notifications import broker

    broker.publish(notification)
