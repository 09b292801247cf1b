"""The shop API (store sites): the store's settings and a seller's account.

| method and path | who | does |
| --- | --- | --- |
| ``GET``/``PATCH /store/settings/`` | admin | read, change the settings (ranks validated) |
| ``GET /seller/account/`` | sellers | own points, rank, next rank, brands unlocked, recent entries |
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.permissions import Allows
from tenant_apps.store.shop import selectors, services
from tenant_apps.store.shop.access import can_have_seller_account, can_manage_store_settings
from tenant_apps.store.shop.serializers import (
    SellerAccountSerializer,
    StoreSettingsSerializer,
    StoreSettingsUpdateSerializer,
)


class StoreSettingsView(APIView):
    """``GET /api/v1/store/settings/`` and ``PATCH`` (admin)."""

    permission_classes = [IsAuthenticated, Allows(can_manage_store_settings)]  # type: ignore[list-item]

    @extend_schema(responses=StoreSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(StoreSettingsSerializer(services.store_settings()).data)

    @extend_schema(request=StoreSettingsUpdateSerializer, responses=StoreSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = StoreSettingsUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.store_settings_update(actor=request.user, **serializer.validated_data)
        return Response(StoreSettingsSerializer(row).data)


class SellerAccountView(APIView):
    """``GET /api/v1/seller/account/`` (sellers): your points, rank, the next rank and its threshold,
    whether you may create brands, and your last points entries."""

    permission_classes = [IsAuthenticated, Allows(can_have_seller_account)]  # type: ignore[list-item]

    @extend_schema(responses=SellerAccountSerializer)
    def get(self, request: Request) -> Response:
        summary: Any = selectors.seller_account_summary(seller=request.user)
        return Response(SellerAccountSerializer(summary).data)
