"""The writing loyalty app (writing sites)."""

from django.apps import AppConfig


class WritingLoyaltyConfig(AppConfig):
    """Loyalty points, tiers and redemptions (writing kind)."""

    name = "tenant_apps.writing.loyalty"
    label = "writing_loyalty"
    verbose_name = "Writing loyalty"
