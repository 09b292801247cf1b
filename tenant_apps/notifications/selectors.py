"""Reads of notifications: always scoped to one recipient in the current schema
(``access.notifications_visible_to``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenant_apps.notifications.access import notifications_visible_to
from tenant_apps.notifications.models import Notification

#: Most notifications replayed to a reconnecting stream (the newest ones; older: the list).
REPLAY_LIMIT = 100


def notification_list(*, user: Any, read: bool | None = None) -> QuerySet[Notification]:
    """``user``'s notifications, newest first; only read or unread ones when ``read`` is given."""
    notifications = notifications_visible_to(user).select_related("content_type")
    if read is not None:
        notifications = notifications.filter(read=read)
    return notifications


def notification_unread_count(*, user: Any) -> int:
    """How many of ``user``'s notifications are unread."""
    return notifications_visible_to(user).filter(read=False).count()


def notifications_unread_after(*, user_id: int, after_id: int, limit: int = REPLAY_LIMIT) -> list[Notification]:
    """``user_id``'s unread notifications with an id above ``after_id``, oldest first.

    At most ``limit``, the newest ones: what a reconnecting stream replays after ``Last-Event-ID``.
    """
    newest = list(
        Notification.objects.filter(recipient_id=user_id, read=False, pk__gt=after_id)
        .select_related("content_type")
        .order_by("-pk")[:limit]
    )
    return newest[::-1]
