"""The writing special orders app (writing sites)."""

from django.apps import AppConfig


class WritingSpecialOrdersConfig(AppConfig):
    """Special orders quoted by an admin and paid in installments (writing kind)."""

    name = "tenant_apps.writing.special_orders"
    label = "writing_special_orders"
    verbose_name = "Writing special orders"
