"""Order messages API shapes; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.files.views import StoredFileSerializer
from tenant_apps.writing.messages.models import AuthorRole, MessageSettings, OrderMessage
from tenant_apps.writing.messages.services import MAX_ATTACHMENTS, MAX_BODY, PHONE_REGIONS


class MessageAuthorSerializer(serializers.Serializer):
    """Who wrote a message (support and admins only): ``{id, full_name}``."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class OrderMessageSerializer(serializers.ModelSerializer):
    """A message: ``{id, order, author_role, author, body, masked, original_body, attachments,
    created_at}``.

    ``author_role`` is what the author was on the order (``client``, ``writer``, ``editor``,
    ``support``); ``author`` (``{id, full_name}``) and ``original_body`` (the text before masking,
    ``""`` when nothing was masked) are shown to support and admins only (context ``staff``), and
    ``null`` to everyone else. ``body`` has e-mail addresses and phone numbers replaced by
    ``[hidden]`` when ``masked``. Attachments are stored files with short-lived download URLs.
    """

    author_role = NamedChoiceField(
        component_name="WritingMessageAuthorRoleEnum", choices=AuthorRole.choices, read_only=True
    )
    author = serializers.SerializerMethodField()
    original_body = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = OrderMessage
        fields: tuple[str, ...] = (
            "id",
            "order",
            "author_role",
            "author",
            "body",
            "masked",
            "original_body",
            "attachments",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields

    @extend_schema_field(MessageAuthorSerializer(allow_null=True))
    def get_author(self, message: OrderMessage) -> dict[str, Any] | None:
        if not self.context.get("staff") or message.author is None:
            return None
        return {"id": message.author.pk, "full_name": message.author.full_name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_original_body(self, message: OrderMessage) -> str | None:
        return message.original_body if self.context.get("staff") else None

    @extend_schema_field(StoredFileSerializer(many=True))
    def get_attachments(self, message: OrderMessage) -> list[dict[str, Any]]:
        return list(StoredFileSerializer(message.attachments.all(), many=True, context=self.context).data)


class FlaggedMessageSerializer(OrderMessageSerializer):
    """A masked message in the support list, with its order's ``order_number``."""

    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta(OrderMessageSerializer.Meta):
        fields = (*OrderMessageSerializer.Meta.fields, "order_number")
        read_only_fields = fields


class OrderMessagePostSerializer(serializers.Serializer):
    """``POST /orders/{id}/messages/`` body: ``{body}`` (JSON), or multipart ``body`` and
    ``attachments`` (files, repeated); at least one of them."""

    body = serializers.CharField(
        max_length=MAX_BODY, required=False, allow_blank=True, default="", trim_whitespace=True
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=MAX_ATTACHMENTS, default=list
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("body") and not attrs.get("attachments"):
            raise serializers.ValidationError({"body": ["Write a message or attach a file."]})
        return attrs


class MessageSettingsSerializer(serializers.ModelSerializer):
    """The message settings: ``{block_contact_details, phone_region}``."""

    class Meta:
        model = MessageSettings
        fields = ("block_contact_details", "phone_region")
        read_only_fields = fields


class JsonBooleanField(serializers.BooleanField):
    """A ``BooleanField`` that takes JSON ``true`` and ``false`` only, as the schema says: ``0``,
    ``"yes"`` and the like fail DRF's ``invalid`` check (400 ``validation_error``)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class MessageSettingsUpdateSerializer(serializers.Serializer):
    """``PATCH /order-messages/settings/`` body: any of ``{block_contact_details, phone_region}``
    (an ISO 3166-1 alpha-2 region libphonenumber knows, ``"US"``)."""

    block_contact_details = JsonBooleanField(required=False)
    phone_region = serializers.ChoiceField(choices=PHONE_REGIONS, required=False)
