"""The writing fines app (writing sites)."""

from django.apps import AppConfig


class WritingFinesConfig(AppConfig):
    """Writers' fines and their appeals (writing kind)."""

    name = "tenant_apps.writing.fines"
    label = "writing_fines"
    verbose_name = "Writing fines"
