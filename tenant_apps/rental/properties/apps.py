"""The properties app (rental sites)."""

from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    """Properties, amenities, photos, blocked periods (rental kind)."""

    name = "tenant_apps.rental.properties"
    label = "properties"
    verbose_name = "Properties"
