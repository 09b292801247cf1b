"""The writing writers app (writing sites)."""

from django.apps import AppConfig


class WritingWritersConfig(AppConfig):
    """Writer levels and writer profiles (writing kind)."""

    name = "tenant_apps.writing.writers"
    label = "writing_writers"
    verbose_name = "Writing writers"
