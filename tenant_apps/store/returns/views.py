"""The returns API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /returns/`` | users | returns they may see (buyer, seller: own items only, courier, admin) |
| ``POST /returns/`` ``{order, items: [{order_item, quantity}], reason}`` | the order's buyer | -> 201 ``requested`` |
| ``GET /returns/{id}/`` | who may see it | the return |
| ``POST /returns/{id}/receive/`` | the order's courier, admin | ``requested`` -> ``received`` |
| ``POST /returns/{id}/inspect/`` ``{items, notes?}`` | the order's courier, admin | ``received`` -> ``inspected`` |
| ``POST /returns/{id}/approve/`` ``{penalty_points?}`` | admin | ``inspected`` -> ``approved`` (refund, restock) |
| ``POST /returns/{id}/reject/`` ``{reason}`` | admin | ``requested``/``received``/``inspected`` -> ``rejected`` |

Errors (one shape): 400 ``validation_error``, ``return_quantity_exceeded``; 401; 403
``permission_denied``; 404 ``not_found`` (a return you may not see, or an order that is not yours);
409 ``invalid_status_transition``, ``order_not_delivered``, ``return_window_closed``,
``insufficient_funds`` (a seller cannot pay their share of a completed order back), ``conflict``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.store.returns import selectors, services
from tenant_apps.store.returns.access import access_return, returnable_order
from tenant_apps.store.returns.models import ReturnRequest
from tenant_apps.store.returns.serializers import (
    ApprovalInputSerializer,
    InspectionInputSerializer,
    RejectionInputSerializer,
    ReturnInputSerializer,
    ReturnSerializer,
)


class ReturnViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Returns of delivered orders. Lists are paginated (``page``, ``page_size``), newest first.
    Actions on one return look it up first (404 when the user may not see it); the service then
    refuses what the user's part does not allow (403)."""

    serializer_class = ReturnSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    filter_backends: list[Any] = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "head", "options"]
    extra_error_statuses = (404, 409)

    def visible_queryset(self) -> Any:
        """Only ever the returns the user may see (``access.returns_visible_to``)."""
        return selectors.return_list(user=self.request.user)

    def _show(self, pk: Any, status_code: int = status.HTTP_200_OK) -> Response:
        found = access_return(user=self.request.user, pk=pk)
        return Response(ReturnSerializer(found, context={"request": self.request}).data, status=status_code)

    def _return(self, pk: Any) -> ReturnRequest:
        return access_return(user=self.request.user, pk=pk)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ReturnSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._show(pk)

    @extend_schema(request=ReturnInputSerializer, responses={201: ReturnSerializer})
    def create(self, request: Request) -> Response:
        """Ask to return units of your delivered or completed order, within the return window."""
        serializer = ReturnInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = returnable_order(user=request.user, pk=data["order"])
        lines = [
            services.ReturnLine(order_item=line["order_item"], quantity=line["quantity"]) for line in data["items"]
        ]
        created = services.return_create(buyer=request.user, order_id=order.pk, lines=lines, reason=data["reason"])
        return self._show(created.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: int) -> Response:
        """The courier holding the order, or an admin: the returned items arrived."""
        services.return_receive(return_id=self._return(pk).pk, actor=request.user)
        return self._show(pk)

    @extend_schema(request=InspectionInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def inspect(self, request: Request, pk: int) -> Response:
        """The courier holding the order, or an admin: each item's condition (resellable or damaged)."""
        found = self._return(pk)  # before the body: an unseen id answers 404, not 400
        serializer = InspectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [
            services.InspectedItem(id=i["id"], condition=i["condition"]) for i in serializer.validated_data["items"]
        ]
        services.return_inspect(
            return_id=found.pk, actor=request.user, items=items, notes=serializer.validated_data["notes"]
        )
        return self._show(pk)

    @extend_schema(request=ApprovalInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: int) -> Response:
        """Admin: approve an inspected return (refund, restock resellable units, optional penalty)."""
        found = self._return(pk)
        serializer = ApprovalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.return_approve(
            return_id=found.pk, actor=request.user, penalty_points=serializer.validated_data["penalty_points"]
        )
        return self._show(pk)

    @extend_schema(request=RejectionInputSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        """Admin: reject an open return, with a reason (shown to the buyer)."""
        found = self._return(pk)
        serializer = RejectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.return_reject(return_id=found.pk, actor=request.user, reason=serializer.validated_data["reason"])
        return self._show(pk)
