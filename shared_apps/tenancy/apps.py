"""The tenancy app (public schema): tenants, their domains and kinds, provisioning from template
schemas, and the superadmin API; ``ready`` installs the per-schema content-types cache and
narrows deletion cascades to the current schema's apps (``saas.db.deletion``)."""

from django.apps import AppConfig


class TenancyConfig(AppConfig):
    """Tenants, their domains, provisioning and the superadmin API (public schema)."""

    name = "shared_apps.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from saas.db import contenttypes, deletion
        from shared_apps.tenancy import signals  # noqa: F401

        contenttypes.install()
        deletion.install()
