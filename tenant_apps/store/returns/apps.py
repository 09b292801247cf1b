"""The returns app (store sites)."""

from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    """Return requests, inspection and refunds (store kind)."""

    name = "tenant_apps.store.returns"
    label = "returns"
    verbose_name = "Returns"
