"""The notifications app (every tenant kind): in-app notifications, listed and marked read through REST
and pushed to open browsers over Server-Sent Events."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, listed through REST and pushed over Server-Sent Events."""

    name = "tenant_apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"
