"""The writing order files app; ``ready`` registers who may read an order's files with the files app."""

from django.apps import AppConfig


class WritingFilesConfig(AppConfig):
    """Files of writing orders: attachments, drafts and finals (shared ``StoredFile`` rows)."""

    name = "tenant_apps.writing.files"
    label = "writing_files"
    verbose_name = "Writing order files"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.writing.files.access import order_file_readable

        register_file_access(order_file_readable)
