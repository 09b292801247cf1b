"""The shop app (store sites): site settings, buyer profiles (delivery location), seller points."""

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Store settings, buyer profiles and seller points and ranks (store kind)."""

    name = "tenant_apps.store.shop"
    label = "shop"
    verbose_name = "Shop"
