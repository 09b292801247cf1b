"""Order files API shapes. Sizes are bytes; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.schema import NamedChoiceField
from tenant_apps.files.services import file_download_url
from tenant_apps.writing.files.models import FileCategory, OrderFile, UploaderRole
from tenant_apps.writing.orders.access import sees_client


class FileUploaderSerializer(serializers.Serializer):
    """Who added a file: ``{id, full_name}``."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class OrderFileSerializer(serializers.ModelSerializer):
    """A file of an order: ``{id, file (the stored file's id, for /api/v1/files/), category,
    original_name, content_type, size, uploader_role, uploaded_by, created_at, download_url}``.

    ``uploaded_by`` is ``{id, full_name}``, or ``null`` when the uploader was the client and the
    reader may not know who the client is (writers, editors). ``download_url`` serves the bytes for
    ``FILE_URL_TTL_SECONDS``.
    """

    file = serializers.UUIDField(source="file_id", read_only=True)
    category = NamedChoiceField(component_name="WritingFileCategoryEnum", choices=FileCategory.choices, read_only=True)
    uploader_role = NamedChoiceField(
        component_name="WritingFileUploaderRoleEnum", choices=UploaderRole.choices, read_only=True
    )
    original_name = serializers.CharField(source="file.original_name", read_only=True)
    content_type = serializers.CharField(source="file.content_type", read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)
    uploaded_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = OrderFile
        fields = (
            "id",
            "file",
            "category",
            "original_name",
            "content_type",
            "size",
            "uploader_role",
            "uploaded_by",
            "created_at",
            "download_url",
        )
        read_only_fields = fields

    @extend_schema_field(FileUploaderSerializer(allow_null=True))
    def get_uploaded_by(self, order_file: OrderFile) -> dict[str, Any] | None:
        uploader = order_file.uploaded_by
        request = self.context.get("request")
        if uploader is None or request is None:
            return None
        if uploader.pk == order_file.order.client_id and not sees_client(request.user, order_file.order):
            return None
        return {"id": uploader.pk, "full_name": uploader.full_name}

    def get_download_url(self, order_file: OrderFile) -> str:
        return file_download_url(order_file.file)


class OrderFileUploadSerializer(serializers.Serializer):
    """``POST /orders/{id}/files/`` body (multipart): ``file`` and its ``category``."""

    file = serializers.FileField()
    category = NamedChoiceField(component_name="WritingFileCategoryEnum", choices=FileCategory.choices)
