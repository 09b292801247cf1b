"""The writing dashboards app (writing sites): read-only figures per role, no tables of its own."""

from django.apps import AppConfig


class WritingDashboardConfig(AppConfig):
    """Dashboards per role of a writing site: client, writer, editor, support, admin."""

    name = "tenant_apps.writing.dashboard"
    label = "writing_dashboard"
    verbose_name = "Writing dashboards"
