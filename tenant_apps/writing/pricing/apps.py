"""The writing order-options and pricing app (writing sites)."""

from django.apps import AppConfig


class WritingPricingConfig(AppConfig):
    """Order options, page rates, extra services and pricing settings (writing kind)."""

    name = "tenant_apps.writing.pricing"
    label = "writing_pricing"
    verbose_name = "Writing pricing"

    def ready(self) -> None:
        from tenant_apps.writing.pricing import receivers  # noqa: F401  (connects the receivers)
