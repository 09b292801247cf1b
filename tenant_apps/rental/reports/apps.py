"""The reports app (rental sites)."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """The daily report and the record of each one sent (rental kind)."""

    name = "tenant_apps.rental.reports"
    label = "rental_reports"
    verbose_name = "Reports"
