"""The properties app (rental sites)."""

from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    """Properties, amenities, photos, blocked periods (rental kind)."""

    name = "tenant_apps.rental.properties"
    label = "properties"
    verbose_name = "Properties"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.rental.properties.access import property_photo_readable

        register_file_access(property_photo_readable)
