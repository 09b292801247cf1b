"""The writing discounts API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /discounts/`` | admins | every discount code and campaign, newest first |
| ``POST /discounts/`` | admins | create one (no ``code``: a campaign) |
| ``GET /discounts/{id}/`` | admins | one discount |
| ``PATCH /discounts/{id}/`` | admins | change it |
| ``DELETE /discounts/{id}/`` | admins | delete it (switched off instead once used) |
| ``GET /discounts/{id}/uses/`` | admins | the orders that used it |
| ``GET /discounts/running/`` | anyone | the campaigns running now |

A code is used through ``POST /quote/`` and ``POST /orders/`` (``discount_code``). A discount
the user may not see answers 404 ``not_found``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.discounts import selectors, services
from tenant_apps.writing.discounts.access import access_discount, can_manage_discounts
from tenant_apps.writing.discounts.serializers import CampaignSerializer, DiscountSerializer, DiscountUseSerializer

_ADMINS = [IsAuthenticated, Allows(can_manage_discounts)]


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    values = dict(data)
    return values, values.pop("options", None)


class DiscountListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/discounts/`` (admins): every discount, newest first. ``POST`` (admins): create
    one -> 201 (400 ``validation_error``: a taken code, a percentage over 100, a window ending
    before it starts)."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = DiscountSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.discount_list(user=self.request.user)

    @extend_schema(request=DiscountSerializer, responses={201: DiscountSerializer})
    def post(self, request: Request) -> Response:
        serializer = DiscountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values, options = _split(serializer.validated_data)
        discount = services.discount_create(actor=request.user, options=options, **values)
        return Response(DiscountSerializer(discount).data, status=status.HTTP_201_CREATED)


class DiscountDetailView(APIView):
    """``GET /api/v1/discounts/{id}/`` (admins): one discount. ``PATCH``: change it. ``DELETE``:
    delete it -> 204 (a discount an order used is switched off instead, so the order keeps its
    record)."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(responses=DiscountSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(DiscountSerializer(access_discount(user=request.user, pk=pk)).data)

    @extend_schema(request=DiscountSerializer, responses=DiscountSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        discount = access_discount(user=request.user, pk=pk)
        serializer = DiscountSerializer(discount, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values, options = _split(serializer.validated_data)
        discount = services.discount_update(actor=request.user, discount=discount, options=options, **values)
        return Response(DiscountSerializer(discount).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.discount_delete(actor=request.user, discount=access_discount(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DiscountUsesView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/discounts/{id}/uses/`` (admins): the orders that used the discount, newest
    first (``released_at`` set: the order was cancelled unpaid and the use given back)."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = DiscountUseSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.discount_use_list(discount=access_discount(user=self.request.user, pk=self.kwargs["pk"]))


class RunningCampaignsView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/discounts/running/`` (anyone): the campaigns running now (applied by
    themselves to eligible orders)."""

    permission_classes = [AllowAny]
    serializer_class = CampaignSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.campaign_list()
