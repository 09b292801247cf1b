"""The billing app's configuration."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    """Platform billing (public schema): plans and their limits, each tenant's Stripe customer and
    subscription, the billing webhook and dunning, and each site's Stripe Connect account."""

    name = "shared_apps.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"
