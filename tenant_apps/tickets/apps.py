"""The tickets app (every tenant kind): support conversations with attachments, linked to any registered
object, visible through django-guardian object permissions."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    """Support tickets: conversations with attachments, linked to any registered object,
    visible through django-guardian object permissions (every tenant kind)."""

    name = "tenant_apps.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.tickets.access import attachment_readable
        from tenant_apps.tickets.targets import register_kind_targets

        register_file_access(attachment_readable)
        register_kind_targets()
