"""Creating notifications, marking them read, and publishing them to the recipient's live stream."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from saas.db.tenant import current_schema
from tenant_apps.notifications.access import access_notification, notifications_visible_to
from tenant_apps.notifications.models import Notification


def notify(
    *, recipient: Any, verb: str, target: models.Model | None = None, extra_data: dict[str, Any] | None = None
) -> Notification:
    """Create a notification for ``recipient`` and publish it to their SSE streams after commit.

    ``verb`` is a dotted event name; ``extra_data`` a JSON-serialisable dict safe for the
    recipient to see. Nothing is published when the transaction rolls back, and a failed
    publish never fails the caller (the row is committed; streams catch up on reconnect).
    """
    notification = Notification.objects.create(
        recipient=recipient,
        verb=verb,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        extra_data=extra_data or {},
    )
    schema = current_schema()
    transaction.on_commit(lambda: publish(notification, schema=schema), robust=True)
    return notification


def publish(notification: Notification, *, schema: str | None = None) -> None:
    """Push ``notification`` to its recipient's open streams in ``schema`` (default: the current one)."""
    from tenant_apps.notifications import broker
    from tenant_apps.notifications.serializers import notification_payload

    broker.publish(
        schema=schema or current_schema(), user_id=notification.recipient_id, payload=notification_payload(notification)
    )


def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark ``user``'s notification ``notification_id`` read (idempotent) and return it.

    Raises ``NotFound`` (404 ``not_found``) for another user's or an unknown id
    (``access.access_notification``). No lock: one conditional ``UPDATE``; concurrent calls agree
    on the result.
    """
    notification = access_notification(user=user, pk=notification_id)
    if not notification.read:
        Notification.objects.filter(pk=notification.pk, read=False).update(read=True)
        notification.read = True
    return notification


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of ``user`` read; returns how many changed.

    No lock: one ``UPDATE``. A notification created concurrently may stay unread.
    """
    return notifications_visible_to(user).filter(read=False).update(read=True)
