"""The inquiries API (``/api/v1/inquiries/``): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``POST /inquiries/`` | anyone (visitors with ``email``, throttled) | open an inquiry -> 201 |
| ``GET /inquiries/`` | users | the inquiries you may see (admins: all; agents: theirs and the queue) |
| ``GET /inquiries/{id}/`` | who may see it | the inquiry |
| ``POST /inquiries/{id}/assign/`` | admins; an agent for themself from the queue | ``{"agent": id}`` -> the inquiry |
| ``POST /inquiries/{id}/status/`` | per ``transitions.py`` | ``{"status": ...}`` -> the inquiry |
| ``GET /inquiries/{id}/messages/`` | who may see it | the messages, oldest first |
| ``POST /inquiries/{id}/messages/`` | author, assigned agent, admins | ``{"body"}`` -> 201 with the message |

An inquiry you may not see answers 404 ``not_found``, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Allows
from tenant_apps.rental.inquiries import selectors, services
from tenant_apps.rental.inquiries.access import (
    access_inquiry_detail,
    can_assign_inquiries,
    is_admin,
    is_agent,
)
from tenant_apps.rental.inquiries.filters import InquiryFilter
from tenant_apps.rental.inquiries.serializers import (
    InquiryAssignSerializer,
    InquiryCreateSerializer,
    InquiryMessageCreateSerializer,
    InquiryMessageSerializer,
    InquirySerializer,
    InquiryStatusSerializer,
)
from tenant_apps.rental.inquiries.throttles import SCOPE, VISITOR_THROTTLES


class InquiryViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Inquiries to the site. Lists are paginated, newest first; filter with ``status``,
    ``severity``, ``assigned_to``, ``assigned`` (``me``/``none``), ``property``, ``booking``;
    ``search`` looks in the subject; ``ordering`` by ``created_at`` (default, newest first),
    ``updated_at`` or ``id``.

    Errors (one shape): 400 ``validation_error``, ``invalid_assignee``; 401; 403
    ``permission_denied``; 404 ``not_found``; 409 ``invalid_status_transition``, ``inquiry_closed``;
    429 ``throttled`` (visitors opening inquiries).
    """

    parser_classes = [JSONParser]
    serializer_class = InquirySerializer
    filterset_class = InquiryFilter
    search_fields = ("subject",)
    ordering_fields = ("created_at", "updated_at", "id")
    lookup_value_converter = "int"
    throttle_scope = SCOPE

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [AllowAny()]
        if self.action == "assign":
            return [IsAuthenticated(), Allows(can_assign_inquiries)]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        return [throttle() for throttle in VISITOR_THROTTLES] if self.action == "create" else []

    @property
    def user(self) -> User:
        """The authenticated user (``IsAuthenticated`` runs before every action but ``create``)."""
        return cast(User, self.request.user)

    def visible_queryset(self) -> Any:
        """Only ever the inquiries the user may see (``access.inquiries_visible_to``)."""
        return selectors.inquiry_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        user = self.request.user
        return {**super().get_serializer_context(), "show_emails": is_admin(user) or is_agent(user)}

    def _detail(self, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
        inquiry = access_inquiry_detail(user=self.request.user, inquiry_id=pk)
        return Response(InquirySerializer(inquiry, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=InquiryCreateSerializer, responses={201: InquirySerializer})
    def create(self, request: Request) -> Response:
        """Open an inquiry: ``{subject, message, severity?, property?, booking?}``; visitors add
        ``email`` (required) and ``name``. The site's admins and agents are notified, and an
        acknowledgement is e-mailed to you. A visitor gets the inquiry back once, here, and the
        answers by e-mail."""
        serializer = InquiryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        author = request.user if request.user.is_authenticated else None
        inquiry = services.inquiry_open(
            author=cast(User | None, author),
            subject=data["subject"],
            message=data["message"],
            severity=data["severity"],
            email=data["email"],
            name=data["name"],
            property_id=data["property"],
            booking_id=data["booking"],
        )
        if author is None:
            body = InquirySerializer(inquiry, context=self.get_serializer_context()).data
            return Response(body, status=status.HTTP_201_CREATED)
        return self._detail(inquiry.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=InquirySerializer)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        """The inquiry, if you may see it (404 otherwise)."""
        return self._detail(pk)

    @extend_schema(request=InquiryAssignSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """Admins: ``{"agent": <customer-service user id>}`` for a new, assigned or in-progress inquiry
        (it becomes ``assigned``). An agent may take a ``new`` one for themself (their own id)."""
        serializer = InquiryAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.inquiry_assign(actor=self.user, inquiry_id=pk, agent_id=serializer.validated_data["agent"])
        return self._detail(pk)

    @extend_schema(request=InquiryStatusSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: Any = None) -> Response:
        """``{"status": "in_progress" | "resolved" | "closed"}`` as ``transitions.py`` allows you
        (409 ``invalid_status_transition`` for a move nobody may make, 403 for one you may not)."""
        serializer = InquiryStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.inquiry_set_status(actor=self.user, inquiry_id=pk, status=serializer.validated_data["status"])
        return self._detail(pk)

    @extend_schema(methods=["GET"], request=None, responses=InquiryMessageSerializer(many=True))
    @extend_schema(methods=["POST"], request=InquiryMessageCreateSerializer, responses={201: InquiryMessageSerializer})
    @action(detail=True, methods=["get", "post"], url_path="messages", pagination_class=None, filterset_class=None)
    def messages(self, request: Request, pk: Any = None) -> Response:
        """``GET``: the conversation, oldest first. ``POST`` ``{body}``: add a message (the author,
        the assigned agent, an admin; 409 ``inquiry_closed`` once closed); the other side is told."""
        context = self.get_serializer_context()
        if request.method == "GET":
            messages = selectors.inquiry_messages(user=self.user, inquiry_id=pk)
            return Response(InquiryMessageSerializer(messages, many=True, context=context).data)
        serializer = InquiryMessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.inquiry_message_add(actor=self.user, inquiry_id=pk, body=serializer.validated_data["body"])
        return Response(InquiryMessageSerializer(message, context=context).data, status=status.HTTP_201_CREATED)
