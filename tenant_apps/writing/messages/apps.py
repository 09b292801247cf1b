"""The writing order messages app; ``ready`` registers who may read a message's attachments."""

from django.apps import AppConfig


class WritingMessagesConfig(AppConfig):
    """Messages on writing orders, with attachments and masked contact details."""

    name = "tenant_apps.writing.messages"
    label = "writing_messages"
    verbose_name = "Writing order messages"

    def ready(self) -> None:
        from tenant_apps.files.access import register_file_access
        from tenant_apps.writing.messages.access import message_attachment_readable

        register_file_access(message_attachment_readable)
