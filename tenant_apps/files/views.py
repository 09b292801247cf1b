"""Upload, inspect and download files."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import filetype
from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.errors import ApplicationError
from saas.errors import ErrorCode
from tenant_apps.files import services
from tenant_apps.files.access import access_file, access_signed_file
from tenant_apps.files.models import StoredFile
from tenant_apps.files.validators import IMAGE_TYPES


class StoredFileSerializer(serializers.ModelSerializer):
    """A stored file's metadata and ``url``, a download link valid for ``FILE_URL_TTL_SECONDS``."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = StoredFile
        fields = ("id", "original_name", "content_type", "size", "created_at", "url")
        read_only_fields = fields

    def get_url(self, stored: StoredFile) -> str:
        return services.file_download_url(stored)


class FileUploadView(APIView):
    """``POST /api/v1/files/`` (multipart, field ``file``) -> 201 with the file and its download URL."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=inline_serializer("FileUpload", {"file": serializers.FileField()}),
        responses={201: StoredFileSerializer},
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            raise ApplicationError(
                "Send the file in the multipart field 'file'.",
                code=ErrorCode.VALIDATION_ERROR,
                details={"file": ["No file was submitted."]},
            )
        stored = services.file_store(upload=upload, uploaded_by=request.user)
        return Response(StoredFileSerializer(stored, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FileDetailView(APIView):
    """``GET /api/v1/files/{id}/``: metadata and a short-lived download URL, if you may read it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=StoredFileSerializer)
    def get(self, request: Request, pk: Any) -> Response:
        return Response(StoredFileSerializer(access_file(user=request.user, pk=pk), context={"request": request}).data)


class FileDownloadView(APIView):
    """``GET /api/v1/files/{id}/download/?signature=...``: the bytes (local storage only).

    The signature (from the detail or upload response) is the permission: it names the file and
    the tenant and expires after ``FILE_URL_TTL_SECONDS``, so the link works in a browser.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    extra_error_statuses = (403,)  # a link that is invalid or expired: invalid_signature

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request: Request, pk: Any) -> FileResponse:
        stored = access_signed_file(pk=str(pk), signature=request.query_params.get("signature", ""))
        return FileResponse(
            stored.file.open("rb"), as_attachment=True, filename=stored.original_name, content_type=stored.content_type
        )


class SignedKeyDownloadView(APIView):
    """``GET /api/v1/files/download/?signature=...``: a stored object no ``StoredFile`` describes
    (avatars), from a ``services.storage_url`` link (local storage only).

    The signature is the permission, as for ``FileDownloadView``. Images allowed as avatars are
    served inline with their sniffed type; anything else as an ``application/octet-stream``
    attachment.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    extra_error_statuses = (403,)  # a link that is invalid or expired: invalid_signature

    @extend_schema(
        operation_id="files_signed_download",
        responses={(200, "application/octet-stream"): bytes},
        parameters=[OpenApiParameter("signature", str, required=True, description="From the URL the API returned.")],
    )
    def get(self, request: Request) -> FileResponse:
        key = services.key_from_signature(signature=request.query_params.get("signature", ""))
        handle = default_storage.open(key, "rb")
        kind = filetype.guess(handle.read(8192))
        handle.seek(0)
        image = kind is not None and kind.mime in IMAGE_TYPES
        return FileResponse(
            handle,
            as_attachment=not image,
            filename=PurePosixPath(key).name,
            content_type=kind.mime if image and kind is not None else "application/octet-stream",
        )
