from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications, listed through REST and pushed over Server-Sent Events."""

    name = "tenant_apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"
