"""The writing discounts app (writing sites)."""

from django.apps import AppConfig


class WritingDiscountsConfig(AppConfig):
    """Discount codes and campaigns (writing kind)."""

    name = "tenant_apps.writing.discounts"
    label = "writing_discounts"
    verbose_name = "Writing discounts"
