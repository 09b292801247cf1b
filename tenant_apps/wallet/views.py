"""Thin wallet API views: validate, call one service or selector, serialize.

* ``GET /api/v1/wallet/``, ``GET /api/v1/wallet/ledger/``: the caller's own wallet and entries.
* ``GET /api/v1/wallets/`` (admin): every wallet; ``?search=`` e-mail, ``?ordering=`` amounts.
* ``GET /api/v1/wallets/{user_id}/``, ``.../ledger/``: the owner or an admin; others get 404.
* ``POST /api/v1/wallets/{user_id}/adjust/`` ``{amount, reason}``, ``.../top-up/`` ``{amount}`` (admin).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.wallet import selectors, services
from tenant_apps.wallet.access import access_wallet_of_user
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tenant_apps.wallet.serializers import (
    AdjustSerializer,
    LedgerEntrySerializer,
    TopUpSerializer,
    WalletSerializer,
)


class MyWalletView(APIView):
    """``GET /api/v1/wallet/``: the caller's wallet (empty until money first moves; reading writes nothing)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=WalletSerializer)
    def get(self, request: Request) -> Response:
        return Response(WalletSerializer(selectors.wallet_of(user=request.user)).data)


class MyLedgerView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/wallet/ledger/``: the caller's ledger entries, newest first, paginated."""

    permission_classes = [IsAuthenticated]
    serializer_class = LedgerEntrySerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> QuerySet[LedgerEntry]:
        return selectors.ledger_entries(user=self.request.user)


class WalletViewSet(VisibleQuerysetMixin, viewsets.GenericViewSet):
    """Wallets by their user's id: list and changes for admins, reading for the owner too."""

    permission_classes = [IsAuthenticated]
    serializer_class = WalletSerializer
    lookup_field = "user_id"
    lookup_value_converter = "int"
    filter_backends = [SearchFilter, OrderingFilter]
    search_fields = ("user__email",)
    ordering_fields = ("id", "balance", "held_balance", "updated_at")

    def get_permissions(self) -> Sequence[Any]:
        if self.action in {"list", "adjust", "top_up"}:
            return [IsAuthenticated(), HasRole(ADMIN)]
        return super().get_permissions()

    def visible_queryset(self) -> QuerySet[Wallet]:
        return selectors.wallet_list()

    def _wallet(self, *, open_if_missing: bool = False) -> Wallet:
        return access_wallet_of_user(
            viewer=self.request.user, user_id=int(self.kwargs["user_id"]), open_if_missing=open_if_missing
        )

    def list(self, request: Request) -> Response:
        """Every wallet of the site (admin only), oldest first unless ``?ordering=``."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(WalletSerializer(page, many=True).data)

    def retrieve(self, request: Request, user_id: int) -> Response:
        """The wallet of user ``user_id``: the owner or an admin; anyone else gets 404."""
        return Response(WalletSerializer(self._wallet()).data)

    @extend_schema(responses=LedgerEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def ledger(self, request: Request, user_id: int) -> Response:
        """The entries of user ``user_id``'s wallet, newest first: the owner or an admin; else 404."""
        page = self.paginate_queryset(selectors.ledger_entries(wallet=self._wallet()))
        return self.get_paginated_response(LedgerEntrySerializer(page, many=True).data)

    @extend_schema(request=AdjustSerializer, responses={201: LedgerEntrySerializer})
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, user_id: int) -> Response:
        """An admin's correction ``{amount, reason}`` (amount + or -, never below zero): 201 with the
        entry; 409 ``insufficient_funds``, 400 ``invalid_amount``."""
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.wallet_adjust(
            wallet=self._wallet(open_if_missing=True), actor=request.user, **serializer.validated_data
        )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TopUpSerializer, responses={201: LedgerEntrySerializer})
    @action(detail=True, methods=["post"], url_path="top-up")
    def top_up(self, request: Request, user_id: int) -> Response:
        """An admin credits ``{amount, reference?, memo?}`` (money received outside the site): 201
        with the entry; repeating a ``reference`` changes nothing and answers with the first entry."""
        serializer = TopUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.wallet_top_up(
            wallet=self._wallet(open_if_missing=True), actor=request.user, **serializer.validated_data
        )
        return Response(LedgerEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
