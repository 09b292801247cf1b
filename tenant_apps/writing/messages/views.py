"""The order messages API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /orders/{id}/messages/`` | its client, writer, editors seeing it, support, admins | the thread |
| ``POST /orders/{id}/messages/`` (JSON ``{body}``, or multipart ``body``, ``attachments``) | likewise | post -> 201 |
| ``GET /order-messages/flagged/`` | support, admins | masked messages, newest first, with their originals |
| ``GET/PATCH /order-messages/settings/`` | admins | ``block_contact_details``, ``phone_region`` |

An order you may not see, or whose thread is not yours (a writer of the pool), answers 404
``not_found`` like a missing one.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.writing.messages import selectors, services
from tenant_apps.writing.messages.access import MODERATOR_ROLES, SETTINGS_ROLES, access_thread, sees_authors
from tenant_apps.writing.messages.serializers import (
    FlaggedMessageSerializer,
    MessageSettingsSerializer,
    MessageSettingsUpdateSerializer,
    OrderMessagePostSerializer,
    OrderMessageSerializer,
)
from tenant_apps.writing.orders.models import Order


class OrderMessageListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/orders/{id}/messages/``: the order's thread, oldest first (paginated).

    ``POST`` ``{body}`` (JSON) or multipart ``body`` and ``attachments`` (up to 5 files) -> 201
    with the message, contact details masked when the site blocks them. 400
    ``validation_error``, ``empty_file``; 413 ``file_too_large``; 415 ``unsupported_file_type``.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    serializer_class = OrderMessageSerializer
    filter_backends: list[Any] = []

    def _order(self) -> Order:
        if not hasattr(self, "_found_order"):
            self._found_order = access_thread(user=self.request.user, order_id=self.kwargs["pk"])
        return self._found_order

    def visible_queryset(self) -> Any:
        return selectors.order_thread(order=self._order())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "staff": sees_authors(self.request.user)}

    @extend_schema(
        request={
            "application/json": OrderMessagePostSerializer,
            "multipart/form-data": OrderMessagePostSerializer,
        },
        responses={201: OrderMessageSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        order = self._order()
        serializer = OrderMessagePostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        message = services.order_message_post(
            actor=request.user, order=order, body=data["body"], uploads=data["attachments"]
        )
        found = selectors.order_thread(order=order).get(pk=message.pk)
        return Response(
            OrderMessageSerializer(found, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class FlaggedMessageListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/order-messages/flagged/`` (support, admins): every masked message of the site,
    newest first (paginated), with its author, original body and ``order_number``."""

    permission_classes = [IsAuthenticated, HasRole(*MODERATOR_ROLES)]  # type: ignore[list-item]
    serializer_class = FlaggedMessageSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.flagged_messages()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "staff": True}


class MessageSettingsView(APIView):
    """``GET/PATCH /api/v1/order-messages/settings/`` (admins): ``block_contact_details`` (mask
    e-mail addresses and phone numbers in new messages; default on) and ``phone_region`` (where
    numbers without a country code are read; default ``US``)."""

    permission_classes = [IsAuthenticated, HasRole(*SETTINGS_ROLES)]  # type: ignore[list-item]

    @extend_schema(responses=MessageSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(MessageSettingsSerializer(services.message_settings()).data)

    @extend_schema(request=MessageSettingsUpdateSerializer, responses=MessageSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = MessageSettingsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.message_settings_update(actor=request.user, **serializer.validated_data)
        return Response(MessageSettingsSerializer(row).data)
