"""In-app notifications, made by ``notifications.services.notify``."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.notifications.models import Notification
from tenant_apps.notifications.services import notification_mark_read, notify
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory


class NotificationFactory(ServiceFactory[Notification]):
    """``recipient`` told that ``verb`` happened to ``target`` (optional), made by ``notify``: the
    target stored as content type and id, published to the recipient's stream when the transaction
    commits (a test's never does, unless it captures on-commit callbacks).

    ``read=True``: marked read by its recipient (``notification_mark_read``). Traits: ``seen``.
    """

    class Meta:
        model = Notification

    class Params:
        seen = factory.Trait(read=True)

    recipient = factory.SubFactory(UserFactory)
    verb = "ticket.replied"
    target = None
    extra_data: dict[str, Any] | None = None
    read = False

    @classmethod
    def _create(cls, model_class: type[Notification], *args: Any, **kwargs: Any) -> Notification:
        read = kwargs.pop("read")
        notification = notify(**kwargs)
        if read:
            notification = notification_mark_read(user=notification.recipient, notification_id=notification.pk)
        return notification
