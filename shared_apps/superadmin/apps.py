"""The superadmin app's configuration."""

from django.apps import AppConfig


class SuperadminConfig(AppConfig):
    """Platform operations (public schema): the platform's audit log, impersonation, usage and
    health per tenant, export, restore and purge of one tenant."""

    name = "shared_apps.superadmin"
    label = "superadmin"
    default_auto_field = "django.db.models.BigAutoField"
