"""The order files API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /orders/{id}/files/`` | who sees the order | its files you may read, oldest first |
| ``POST /orders/{id}/files/`` (multipart ``file``, ``category``) | ``access.upload_role`` | add -> 201 |
| ``GET /orders/{id}/files/{file_id}/`` | who may read it | the file with a short-lived ``download_url`` |
| ``DELETE /orders/{id}/files/{file_id}/`` | its uploader, admins | remove, before delivery -> 204 |

An order you may not see, and a file you may not read (a draft, if you are the client; a final
before delivery), answer 404 ``not_found`` like missing ones.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.writing.files import selectors, services
from tenant_apps.writing.files.access import access_order_file
from tenant_apps.writing.files.serializers import OrderFileSerializer, OrderFileUploadSerializer
from tenant_apps.writing.orders.access import access_order
from tenant_apps.writing.orders.models import Order


class OrderFileListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/orders/{id}/files/``: the order's files you may read, oldest first.

    ``POST`` (multipart ``file``, ``category``: ``attachment``, ``draft`` or ``final``) -> 201 with
    the file. 400 ``validation_error``, ``empty_file``; 403 ``permission_denied`` (not yours to
    add); 409 ``conflict`` (not in the order's status); 413 ``file_too_large``; 415
    ``unsupported_file_type``.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = OrderFileSerializer
    filter_backends: list[Any] = []

    def _order(self) -> Order:
        if not hasattr(self, "_found_order"):
            self._found_order = access_order(user=self.request.user, pk=self.kwargs["pk"])
        return self._found_order

    def visible_queryset(self) -> Any:
        return selectors.order_file_list(user=self.request.user, order=self._order())

    @extend_schema(request={"multipart/form-data": OrderFileUploadSerializer}, responses={201: OrderFileSerializer})
    def post(self, request: Request, pk: int) -> Response:
        order = self._order()
        serializer = OrderFileUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        added = services.order_file_add(actor=request.user, order=order, upload=data["file"], category=data["category"])
        found = access_order_file(user=request.user, order_id=pk, pk=added.pk)
        return Response(OrderFileSerializer(found, context={"request": request}).data, status=status.HTTP_201_CREATED)


class OrderFileDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/orders/{id}/files/{file_id}/``: one file you may read, with its
    ``download_url`` (404 otherwise). ``DELETE`` (its uploader, admins; an attachment or a draft,
    before delivery) -> 204; 403 ``permission_denied``, 409 ``conflict``."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderFileSerializer
    lookup_url_kwarg = "file_id"

    def visible_queryset(self) -> Any:
        order = access_order(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.order_file_list(user=self.request.user, order=order)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, file_id: int) -> Response:
        found = access_order_file(user=request.user, order_id=pk, pk=file_id)
        services.order_file_remove(actor=request.user, order_file=found)
        return Response(status=status.HTTP_204_NO_CONTENT)
