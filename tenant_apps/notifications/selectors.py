"""Reads of notifications: always scoped to one recipient in the current schema."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import status

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode
from tenant_apps.notifications.models import Notification

#: Most notifications replayed to a reconnecting stream (the newest ones; older: the list).
REPLAY_LIMIT = 100


def notification_list(*, user: Any, read: bool | None = None) -> QuerySet[Notification]:
    """``user``'s notifications, newest first; only read or unread ones when ``read`` is given."""
    notifications = Notification.objects.filter(recipient=user).select_related("content_type")
    if read is not None:
        notifications = notifications.filter(read=read)
    return notifications


def notification_get(*, user: Any, notification_id: int) -> Notification:
    """``user``'s notification ``notification_id``.

    Raises ``ApplicationError`` ``not_found`` (404) when it does not exist or belongs to someone
    else: the answer does not tell the two apart.
    """
    notification = notification_list(user=user).filter(pk=notification_id).first()
    if notification is None:
        raise ApplicationError(
            "Notification not found.", code=ErrorCode.NOT_FOUND, status_code=status.HTTP_404_NOT_FOUND
        )
    return notification


def notification_unread_count(*, user: Any) -> int:
    """How many of ``user``'s notifications are unread."""
    return Notification.objects.filter(recipient=user, read=False).count()


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
