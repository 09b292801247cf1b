"""The tickets API (``/api/v1/tickets/``): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /tickets/`` | any user | the tickets you may see, most recently active first |
| ``POST /tickets/`` | any user | open a ticket -> 201 with the ticket and its first message |
| ``GET /tickets/{id}/`` | who may see it | the ticket with its conversation |
| ``POST /tickets/{id}/messages/`` | creator, assignee, support staff | reply -> 201 with the message |
| ``POST /tickets/{id}/assign/`` | support staff | ``{"assignee": id or null}`` -> the ticket |
| ``POST /tickets/{id}/close/`` | creator, assignee, support staff | -> the ticket, ``closed`` |
| ``POST /tickets/{id}/reopen/`` | creator, assignee, support staff | -> the ticket, ``open`` |

A ticket you may not see answers 404 ``not_found``, exactly like a ticket that does not exist.
Attachments are ids of files you uploaded first through ``POST /api/v1/files/`` (multipart);
the ticket endpoints take JSON only.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.models import User
from tenant_apps.tickets import selectors, services
from tenant_apps.tickets.access import IsSupportStaff, access_ticket_detail, access_ticket_message
from tenant_apps.tickets.filters import TicketFilter
from tenant_apps.tickets.roles import is_support_staff
from tenant_apps.tickets.serializers import (
    TicketAssignSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketMessageSerializer,
    TicketPrioritySerializer,
    TicketReplySerializer,
    TicketSerializer,
)


class TicketViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Support tickets. Lists are paginated; filter with ``status``, ``priority``, ``assignee``,
    ``unassigned``, ``created_by``, ``target_type``/``target_id``; ``search`` looks in the
    subject; ``ordering`` by ``updated_at`` (default, newest first), ``created_at`` or ``id``.

    Errors (one shape): 400 ``validation_error``, ``invalid_target``, ``invalid_attachment``,
    ``invalid_assignee``; 401; 403 ``permission_denied``; 404 ``not_found``; 409
    ``ticket_closed``, ``invalid_status_transition``.
    """

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    search_fields = ("subject",)
    ordering_fields = ("updated_at", "created_at", "id")
    lookup_value_converter = "int"

    @property
    def user(self) -> User:
        """The authenticated user (``IsAuthenticated`` runs before every action)."""
        return cast(User, self.request.user)

    def visible_queryset(self) -> Any:
        """Only ever the tickets the user may see (``access.tickets_visible_to``)."""
        return selectors.ticket_list(user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "show_emails": is_support_staff(self.request.user)}

    def _detail(self, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
        ticket = access_ticket_detail(user=self.request.user, ticket_id=pk)
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request: Request) -> Response:
        """Open a ticket: ``{subject, body, priority?, target?: {type, id}, attachments?: [file id]}``.

        You get view and change on it; the site's support staff are notified and e-mailed.
        """
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        target = data.get("target") or {}
        ticket = services.ticket_create(
            created_by=self.user,
            subject=data["subject"],
            body=data["body"],
            priority=data["priority"],
            target_type=target.get("type"),
            target_id=target.get("id"),
            attachment_ids=data.get("attachments", []),
        )
        return self._detail(ticket.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(responses=TicketDetailSerializer)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        """The ticket and its conversation, if you may see it (404 otherwise)."""
        return self._detail(pk)

    @extend_schema(request=TicketReplySerializer, responses={201: TicketMessageSerializer})
    @action(detail=True, methods=["post"], url_path="messages")
    def messages(self, request: Request, pk: Any = None) -> Response:
        """Reply: ``{body?, attachments?: [file id]}`` (at least one). A reply by the creator makes
        the ticket ``open``, by anyone else ``answered``; a closed ticket answers 409."""
        serializer = TicketReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.ticket_reply(
            actor=self.user,
            ticket_id=pk,
            body=serializer.validated_data["body"],
            attachment_ids=serializer.validated_data.get("attachments", []),
        )
        message = access_ticket_message(user=self.user, message_id=message.pk)
        return Response(
            TicketMessageSerializer(message, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=TicketAssignSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSupportStaff])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """Support staff: ``{"assignee": <user id> | null}``. Any active user of the site may be
        assigned (a teacher for a course's ticket, say); they then see and answer that ticket."""
        serializer = TicketAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_assign(actor=self.user, ticket_id=pk, assignee_id=serializer.validated_data["assignee"])
        return self._detail(pk)

    @extend_schema(request=TicketPrioritySerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsSupportStaff])
    def priority(self, request: Request, pk: Any = None) -> Response:
        """Support staff: ``{"priority": "low" | "normal" | "high" | "urgent"}``."""
        serializer = TicketPrioritySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_prioritise(actor=self.user, ticket_id=pk, priority=serializer.validated_data["priority"])
        return self._detail(pk)

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Close the ticket; replies are refused until it is reopened (409 if already closed)."""
        services.ticket_close(actor=self.user, ticket_id=pk)
        return self._detail(pk)

    @extend_schema(request=None, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """Reopen a closed ticket: it becomes ``open`` (409 if it is not closed)."""
        services.ticket_reopen(actor=self.user, ticket_id=pk)
        return self._detail(pk)
