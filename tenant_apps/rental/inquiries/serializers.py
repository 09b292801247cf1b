"""Input and output shapes of the inquiries API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.rental.inquiries.models import Inquiry, InquiryMessage, InquirySeverity, InquiryStatus

BODY_MAX_LENGTH = 10_000
MAX_ID = 2**63 - 1


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


class InquiryPersonSerializer(serializers.Serializer):
    """A person on an inquiry: ``email`` is shown to staff (admins, agents; context ``show_emails``)
    only, ``null`` to everyone else."""

    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True, allow_null=True, help_text="Staff only; else null.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "full_name": instance.full_name,
            "email": instance.email if self.context.get("show_emails") else None,
        }


class InquirySerializer(serializers.ModelSerializer):
    """An inquiry: ``email``/``name`` are where answers go (the author's, or a visitor's);
    ``created_by`` is ``null`` for a visitor; ``property`` and ``booking`` are ids or ``null``."""

    status = NamedChoiceField(component_name="InquiryStatusEnum", choices=InquiryStatus.choices, read_only=True)
    severity = NamedChoiceField(component_name="InquirySeverityEnum", choices=InquirySeverity.choices, read_only=True)
    created_by = InquiryPersonSerializer(read_only=True, allow_null=True)
    assigned_to = InquiryPersonSerializer(read_only=True, allow_null=True)
    property = serializers.IntegerField(source="property_id", read_only=True, allow_null=True)
    booking = serializers.IntegerField(source="booking_id", read_only=True, allow_null=True)

    class Meta:
        model = Inquiry
        fields = (
            "id",
            "subject",
            "message",
            "severity",
            "status",
            "name",
            "email",
            "created_by",
            "assigned_to",
            "property",
            "booking",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
        )
        read_only_fields = fields


class InquiryMessageSerializer(serializers.ModelSerializer):
    """A message on an inquiry: ``{id, author, body, created_at}`` (``author`` ``null``: a deleted account)."""

    author = InquiryPersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = InquiryMessage
        fields = ("id", "author", "body", "created_at")
        read_only_fields = fields


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def _id_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, default=None, help_text=help_text
    )


class InquiryCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/inquiries/``. Signed in: your account's e-mail and name are used
    (``email`` and ``name`` are ignored). Anonymous: ``email`` is required."""

    subject = serializers.CharField(max_length=200, help_text="One line; line breaks become spaces.")
    message = serializers.CharField(max_length=BODY_MAX_LENGTH)
    severity = NamedChoiceField(
        component_name="InquirySeverityEnum", choices=InquirySeverity.choices, default=InquirySeverity.MEDIUM
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="", help_text="Visitors: required.")
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    property = _id_field("A published property the inquiry is about.")
    booking = _id_field("A booking of yours the inquiry is about (signed-in guests).")


class InquiryAssignSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/inquiries/{id}/assign/``: ``{agent}``, a customer-service agent's id."""

    agent = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An active agent's user id.")


class InquiryStatusSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/inquiries/{id}/status/``: ``{status}`` (``in_progress``,
    ``resolved``, ``closed``; other moves answer 409 ``invalid_status_transition``)."""

    status = NamedChoiceField(component_name="InquiryStatusEnum", choices=InquiryStatus.choices)


class InquiryMessageCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/inquiries/{id}/messages/``: ``{body}``."""

    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
