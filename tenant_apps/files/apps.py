"""The files app: uploads under tenant-prefixed storage keys, size and type limits, short-lived signed
download URLs; other apps grant read access through ``files.access``."""

from django.apps import AppConfig


class FilesConfig(AppConfig):
    """Uploaded files: tenant-prefixed storage keys, limits, short-lived download URLs."""

    name = "tenant_apps.files"
    label = "files"
    verbose_name = "Files"
