"""Who may see which notification: its recipient, and nobody else (admins included: a notification
may carry what only its recipient may see). ``can_read_notification``, the scope every read starts
from (``notifications_visible_to``) and the checked fetch of one (``access_notification``).

The live stream (``stream.py``) follows the same rule: a stream only ever carries the notifications
of the user its token authenticates.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.notifications.models import Notification


def _authenticated(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def can_read_notification(user: Any, notification: Notification) -> bool:
    """Whether ``user`` may see, and mark read, ``notification``: they are its recipient."""
    return _authenticated(user) and notification.recipient_id == user.pk


def notifications_visible_to(user: Any) -> QuerySet[Notification]:
    """The notifications ``user`` may see: those addressed to them (none for an anonymous user)."""
    if not _authenticated(user):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def access_notification(*, user: Any, pk: Any) -> Notification:
    """The notification ``pk``, if ``user`` may see it (``can_read_notification``).

    Raises ``NotFound`` (404 ``not_found``) when it does not exist or is someone else's: the answer
    does not tell the two apart. No ``lock``: the one write on a notification (marking it read)
    is a conditional ``UPDATE``.
    """
    try:
        notification = Notification.objects.select_related("content_type").filter(pk=pk).first()
    except (TypeError, ValueError, DjangoValidationError):
        notification = None
    if notification is None or not can_read_notification(user, notification):
        raise NotFound("Notification not found.")
    return notification
