"""Input and output shapes of the tickets API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.files.views import StoredFileSerializer
from tenant_apps.tickets.models import Ticket, TicketMessage, TicketPriority, TicketStatus
from tenant_apps.tickets.services import MAX_ATTACHMENTS

BODY_MAX_LENGTH = 10_000


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


class TicketPersonSerializer(serializers.Serializer):
    """A participant: ``email`` is shown to support staff only (context ``show_emails``), ``null``
    to everyone else."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True, help_text="Support staff only; else null.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "full_name": instance.full_name,
            "email": instance.email if self.context.get("show_emails") else None,
        }


class TicketTargetSerializer(serializers.Serializer):
    """The object a ticket is about: ``{"type": "app_label.model", "id": "<primary key>"}``."""

    type = serializers.CharField(max_length=100)
    id = serializers.CharField(max_length=64)


class TicketMessageSerializer(serializers.ModelSerializer):
    """A message of a ticket's conversation: ``{id, author, body, attachments, created_at}``; attachments are
    stored files with their download URLs."""

    author = TicketPersonSerializer(read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = TicketMessage
        fields = ("id", "author", "body", "attachments", "created_at")
        read_only_fields = fields

    @extend_schema_field(StoredFileSerializer(many=True))
    def get_attachments(self, message: TicketMessage) -> list[dict[str, Any]]:
        files = [attachment.file for attachment in message.attachments.all()]
        return list(StoredFileSerializer(files, many=True, context=self.context).data)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket in a list (``message_count`` counts the conversation, first message included)."""

    status = NamedChoiceField(component_name="TicketStatusEnum", choices=TicketStatus.choices, read_only=True)
    priority = NamedChoiceField(component_name="TicketPriorityEnum", choices=TicketPriority.choices, read_only=True)
    created_by = TicketPersonSerializer(read_only=True)
    assignee = TicketPersonSerializer(read_only=True, allow_null=True)
    target = serializers.SerializerMethodField()
    message_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Ticket
        fields: tuple[str, ...] = (
            "id",
            "subject",
            "status",
            "priority",
            "created_by",
            "assignee",
            "target",
            "message_count",
            "created_at",
            "updated_at",
            "closed_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(TicketTargetSerializer(allow_null=True))
    def get_target(self, ticket: Ticket) -> dict[str, str] | None:
        if ticket.target_type is None:
            return None
        return {"type": f"{ticket.target_type.app_label}.{ticket.target_type.model}", "id": ticket.target_id}


class TicketDetailSerializer(TicketSerializer):
    """A ticket with its conversation, oldest message first."""

    messages = TicketMessageSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "messages")
        read_only_fields: tuple[str, ...] = fields


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def _attachments_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=MAX_ATTACHMENTS,
        help_text=f"Ids of files you uploaded through POST /api/v1/files/ (at most {MAX_ATTACHMENTS}).",
    )


class TicketCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/``: ``{subject, body, priority?, target?, attachments?}``."""

    subject = serializers.CharField(max_length=200, help_text="One line; line breaks become spaces.")
    body = serializers.CharField(max_length=BODY_MAX_LENGTH, help_text="The first message.")
    priority = NamedChoiceField(
        component_name="TicketPriorityEnum", choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    target = TicketTargetSerializer(
        required=False, allow_null=True, help_text="The object the ticket is about; omit or null for a general ticket."
    )
    attachments = _attachments_field()


class TicketReplySerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/{id}/messages/``: ``{body?, attachments?}``, at least one of them."""

    body = serializers.CharField(max_length=BODY_MAX_LENGTH, required=False, allow_blank=True, default="")
    attachments = _attachments_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("body") and not attrs.get("attachments"):
            raise serializers.ValidationError({"body": ["Write a message or attach a file."]})
        return attrs


class TicketPrioritySerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/{id}/priority/``."""

    priority = NamedChoiceField(choices=TicketPriority.choices, component_name="TicketPriorityEnum")


class TicketAssignSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tickets/{id}/assign/`` (support staff): ``{assignee}``, a user id or ``null``."""

    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, max_value=2**63 - 1, help_text="An active user's id, or null to unassign."
    )
