"""The outbox app's configuration."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The transactional outbox (public schema): tasks recorded in the transaction of the change that
    caused them and handed to the broker after commit (``services``), and the keys of the task runs
    whose effect was applied (``ProcessedTask``, ``saas.tasks.effect_once``)."""

    name = "shared_apps.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"
