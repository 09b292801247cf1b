"""The writing bundles app (writing sites)."""

from django.apps import AppConfig


class WritingBundlesConfig(AppConfig):
    """Class bundles and express classes (writing kind)."""

    name = "tenant_apps.writing.bundles"
    label = "writing_bundles"
    verbose_name = "Writing bundles"
