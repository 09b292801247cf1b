"""The rental site-settings app (rental sites)."""

from django.apps import AppConfig


class RentalSiteConfig(AppConfig):
    """A rental site's settings (rental kind)."""

    name = "tenant_apps.rental.site"
    label = "rental_site"
    verbose_name = "Rental site"
