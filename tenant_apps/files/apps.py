from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Uploaded files: tenant-prefixed storage keys, limits, short-lived download URLs."""

    name = "tenant_apps.files"
    label = "files"
    verbose_name = "Files"
