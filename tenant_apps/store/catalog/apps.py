"""The catalog app (store sites)."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """Categories, brands, products, images, sale events (store kind)."""

    name = "tenant_apps.store.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.store.catalog.access import product_image_readable

        register_file_access(product_image_readable)
