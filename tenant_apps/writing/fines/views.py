"""The writing fines API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /fines/`` ``?status=&kind=&writer=&appeal=`` | users | admins, support: every fine; others: their own |
| ``POST /fines/`` ``{writer, amount, reason, order?}`` | admins | fine a writer; deducted as their balance allows |
| ``GET /fines/{id}/`` | its writer, admins, support | one fine with its appeal |
| ``POST /fines/{id}/appeal/`` ``{explanation}`` | its writer | appeal it, once |
| ``POST /fines/{id}/accept/`` ``{note?}`` | admins | accept the appeal: the fine is reversed, deductions given back |
| ``POST /fines/{id}/reject/`` ``{note}`` | admins | reject the appeal: the fine stands |
| ``GET/PATCH /fines/settings/`` | admins | the fine rules |

A fine the user may not see answers 404 ``not_found``, like a missing one; deciding answers 403 to
everyone but admins, whatever the id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from saas.errors import ApplicationError
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.fines import selectors, services
from tenant_apps.writing.fines.access import access_fine, can_manage_fines
from tenant_apps.writing.fines.filters import FineFilter
from tenant_apps.writing.fines.models import Fine
from tenant_apps.writing.fines.serializers import (
    FineAcceptSerializer,
    FineAppealBodySerializer,
    FineIssueSerializer,
    FineRejectSerializer,
    FineSerializer,
    FineSettingsSerializer,
)

_ADMINS = [IsAuthenticated, Allows(can_manage_fines)]


def _fine_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(FineSerializer(access_fine(user=request.user, pk=pk)).data, status=status_code)


class FineListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/fines/``: admins and support: every fine; anyone else: their own; newest first.
    Filters: ``status``, ``kind`` (repeatable), ``writer`` (id), ``appeal`` (its status).

    ``POST`` ``{writer, amount, reason, order?}`` (admins): fine a writer (about one of their
    orders, or none) -> 201; what their balance allows is deducted at once, the rest from later
    earnings. 400 ``validation_error`` (not a writer, not their order, no reason), 400
    ``invalid_amount``.
    """

    serializer_class = FineSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FineFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), Allows(can_manage_fines)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.fine_list(user=self.request.user)

    @extend_schema(request=FineIssueSerializer, responses={201: FineSerializer})
    def post(self, request: Request) -> Response:
        from tenant_apps.accounts.models import User
        from tenant_apps.writing.orders.models import Order

        serializer = FineIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        writer = User.objects.filter(pk=data["writer"]).first()
        if writer is None:
            raise ApplicationError("No such writer.", details={"writer": ["Not a writer of this site."]})
        order = None
        if data["order"] is not None:
            order = Order.objects.filter(pk=data["order"]).first()
            if order is None:
                raise ApplicationError("No such order.", details={"order": ["Not an order of this writer."]})
        fine = services.fine_issue(
            writer=writer, amount=data["amount"], reason=data["reason"], order=order, actor=request.user
        )
        return _fine_response(request, fine.pk, status_code=status.HTTP_201_CREATED)


class FineDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/fines/{id}/``: one fine with its appeal, to its writer, admins and support
    (404 otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = FineSerializer

    def visible_queryset(self) -> Any:
        return selectors.fine_list(user=self.request.user)


class FineAppealView(APIView):
    """``POST /api/v1/fines/{id}/appeal/`` ``{explanation}`` (the fined writer): appeal the fine,
    once -> 201 with the fine; the admins are told. 403 (someone else's fine they may see), 409
    ``conflict`` (appealed before), 409 ``invalid_status_transition`` (reversed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=FineAppealBodySerializer, responses={201: FineSerializer})
    def post(self, request: Request, pk: int) -> Response:
        fine = access_fine(user=request.user, pk=pk)
        serializer = FineAppealBodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.fine_appeal(fine=fine, writer=request.user, explanation=serializer.validated_data["explanation"])
        return _fine_response(request, pk, status_code=status.HTTP_201_CREATED)


def _decide(request: Request, pk: int, body: type[Any], step: Callable[[Fine, dict[str, Any]], Any]) -> Response:
    """Fetch fine ``pk`` (404 when missing), validate ``body``, run ``step`` (one service call) and
    answer the fine as it is now."""
    fine = access_fine(user=request.user, pk=pk)
    serializer = body(data=request.data)
    serializer.is_valid(raise_exception=True)
    step(fine, serializer.validated_data)
    return _fine_response(request, pk)


class FineAcceptView(APIView):
    """``POST /api/v1/fines/{id}/accept/`` ``{note?}`` (admins): accept the fine's pending appeal:
    the fine is reversed and what was deducted goes back to the writer's wallet. 404 (no such fine,
    or no appeal), 403 ``self_approval_forbidden``, 409 ``invalid_status_transition`` (decided)."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=FineAcceptSerializer, responses=FineSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(
            request,
            pk,
            FineAcceptSerializer,
            lambda fine, data: services.fine_appeal_accept(fine=fine, actor=request.user, note=data["note"]),
        )


class FineRejectView(APIView):
    """``POST /api/v1/fines/{id}/reject/`` ``{note}`` (admins): reject the fine's pending appeal
    saying why: the fine stands. 404, 403 ``self_approval_forbidden``, 409
    ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=FineRejectSerializer, responses=FineSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(
            request,
            pk,
            FineRejectSerializer,
            lambda fine, data: services.fine_appeal_reject(fine=fine, actor=request.user, note=data["note"]),
        )


class FineSettingsView(APIView):
    """``GET/PATCH /api/v1/fines/settings/`` (admins): the fine rules (``enabled``,
    ``late_percent_per_hour``, ``late_cap_percent``, ``grace_minutes``, ``revision_percent``,
    ``revision_hours``); a change applies to fines made from then on."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(responses=FineSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(FineSettingsSerializer(services.fine_settings()).data)

    @extend_schema(request=FineSettingsSerializer, responses=FineSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = FineSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.fine_settings_update(actor=request.user, **serializer.validated_data)
        return Response(FineSettingsSerializer(row).data)
