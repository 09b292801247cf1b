"""The catalog app (store sites)."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Categories, brands, products, images, sale events (store kind)."""

    name = "tenant_apps.store.catalog"
    label = "catalog"
    verbose_name = "Catalog"
