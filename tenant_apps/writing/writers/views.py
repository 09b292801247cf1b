"""The writer levels and writer profiles API (writing sites): thin views over ``services`` and
``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /writer-levels/`` | admins | the levels, by position, with how many writers have each |
| ``POST /writer-levels/`` | admins | add a level -> 201 |
| ``GET``/``PATCH``/``DELETE /writer-levels/{id}/`` | admins | read; change; delete (409: default or in use) |
| ``GET /writers/`` | admins, support | writers with level, completed orders, average rating |
| ``GET /writers/me/`` | writers | your own profile |
| ``GET /writers/{id}/`` | admins, support; the writer | one writer's profile |
| ``PATCH /writers/{id}/`` ``{level}`` | admins | set the writer's level |

A level or writer a user may not see answers 404 ``not_found``, like a missing one; a change by
anyone but an admin 403 ``permission_denied``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from saas.errors import ApplicationError, PermissionDenied
from tenant_apps.accounts.permissions import Allows, HasRole
from tenant_apps.writing.kind import WRITER
from tenant_apps.writing.writers import selectors, services
from tenant_apps.writing.writers.access import (
    access_writer,
    access_writer_level,
    can_list_writers,
    can_manage_writers,
)
from tenant_apps.writing.writers.models import WriterLevel
from tenant_apps.writing.writers.serializers import (
    WriterLevelCreateSerializer,
    WriterLevelSerializer,
    WriterLevelSetSerializer,
    WriterLevelUpdateSerializer,
    WriterSerializer,
)

_ADMIN = Allows(can_manage_writers)


def _level_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    level = selectors.writer_level_list(user=request.user).get(pk=access_writer_level(user=request.user, pk=pk).pk)
    return Response(WriterLevelSerializer(level).data, status=status_code)


def _writer_response(request: Request, pk: Any) -> Response:
    writer = access_writer(user=request.user, pk=pk)
    context = {"default_level": selectors.default_level()}
    return Response(WriterSerializer(writer, context=context).data)


class WriterLevelListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/writer-levels/`` (admins): the levels by position. ``POST`` ``{name, slug?,
    position?, share_percent, per_page_amount, is_default?}`` -> 201; 400 ``validation_error``,
    ``invalid_amount``."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]
    serializer_class = WriterLevelSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.writer_level_list(user=self.request.user)

    @extend_schema(request=WriterLevelCreateSerializer, responses={201: WriterLevelSerializer})
    def post(self, request: Request) -> Response:
        serializer = WriterLevelCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = services.writer_level_create(actor=request.user, **serializer.validated_data)
        return _level_response(request, level.pk, status_code=status.HTTP_201_CREATED)


class WriterLevelDetailView(APIView):
    """``GET``/``PATCH``/``DELETE /api/v1/writer-levels/{id}/`` (admins). ``PATCH`` any of the
    create fields (``is_default: true`` makes it the default; ``false`` is refused, 400);
    ``DELETE`` -> 204, 409 ``conflict`` for the default level or one writers have."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(responses=WriterLevelSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _level_response(request, pk)

    @extend_schema(request=WriterLevelUpdateSerializer, responses=WriterLevelSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        level = access_writer_level(user=request.user, pk=pk)
        serializer = WriterLevelUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.writer_level_update(actor=request.user, level=level, **serializer.validated_data)
        return _level_response(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.writer_level_delete(actor=request.user, level=access_writer_level(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WriterListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/writers/`` (admins, support): the site's writers by name, each with their
    level (the default one until an admin sets theirs), completed orders and average rating."""

    permission_classes = [IsAuthenticated, Allows(can_list_writers)]  # type: ignore[list-item]
    serializer_class = WriterSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.writer_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema is built without a database
            return dict(super().get_serializer_context())
        return {**super().get_serializer_context(), "default_level": selectors.default_level()}


class WriterMeView(APIView):
    """``GET /api/v1/writers/me/`` (writers): your level, completed orders and average rating."""

    permission_classes = [IsAuthenticated, HasRole(WRITER)]  # type: ignore[list-item]

    @extend_schema(responses=WriterSerializer)
    def get(self, request: Request) -> Response:
        return _writer_response(request, request.user.pk)


class WriterDetailView(APIView):
    """``GET /api/v1/writers/{id}/`` (admins, support; the writer themselves): one writer's
    profile. ``PATCH`` ``{level: <level id>}`` (admins): set their level; 400 ``validation_error``
    (``details.level``: no such level)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WriterSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _writer_response(request, pk)

    @extend_schema(request=WriterLevelSetSerializer, responses=WriterSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        writer = access_writer(user=request.user, pk=pk)
        if not can_manage_writers(request.user):
            raise PermissionDenied("Your role does not allow this action.")
        serializer = WriterLevelSetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        level = WriterLevel.objects.filter(pk=serializer.validated_data["level"]).first()
        if level is None:
            raise ApplicationError("No such writer level.", details={"level": ["No such writer level."]})
        services.writer_set_level(actor=request.user, writer=writer, level=level)
        return _writer_response(request, pk)
