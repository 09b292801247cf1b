"""The writing loyalty API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /loyalty/settings/`` | anyone | the programme: rate, point value, expiry, minimum redemption |
| ``PATCH /loyalty/settings/`` | admins | change it |
| ``GET /loyalty/tiers/`` | anyone | the tiers, lowest first |
| ``POST /loyalty/tiers/`` | admins | add a tier |
| ``GET /loyalty/tiers/{id}/`` | anyone | one tier |
| ``PATCH`` / ``DELETE /loyalty/tiers/{id}/`` | admins | change or remove it |
| ``GET /loyalty/me/`` | clients | your balance, its value, lifetime spend, tier and next tier |
| ``GET /loyalty/me/entries/`` | clients | your points ledger, newest first |
| ``POST /loyalty/me/redeem/`` ``{points}`` | clients | points to wallet credit |
| ``GET /loyalty/accounts/`` | admins | every account, largest balance first |
| ``GET /loyalty/accounts/{id}/`` | admins | one account |
| ``GET /loyalty/accounts/{id}/entries/`` | admins | its ledger |
| ``POST /loyalty/adjustments/`` ``{user, points, reason}`` | admins | add or remove a user's points |

Points are redeemed at checkout through ``POST /quote/`` and ``POST /orders/``
(``redeem_points``). An account the user may not see answers 404 ``not_found``.
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
from saas.errors import NotFound
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.loyalty import selectors, services
from tenant_apps.writing.loyalty.access import access_account, can_manage_loyalty, is_member
from tenant_apps.writing.loyalty.models import LoyaltyTier
from tenant_apps.writing.loyalty.serializers import (
    AccountSerializer,
    AdjustSerializer,
    EntrySerializer,
    LoyaltySettingsSerializer,
    LoyaltySettingsUpdateSerializer,
    RedeemSerializer,
    RedemptionSerializer,
    TierSerializer,
)

_ADMINS = [IsAuthenticated, Allows(can_manage_loyalty)]
_MEMBERS = [IsAuthenticated, Allows(is_member)]


def _admin_on_write(request: Request) -> list[Any]:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return [AllowAny()]
    return [IsAuthenticated(), Allows(can_manage_loyalty)]


class SettingsView(APIView):
    """``GET /api/v1/loyalty/settings/`` (anyone): the programme's settings. ``PATCH`` (admins):
    change any of them (400 ``validation_error`` naming the field)."""

    def get_permissions(self) -> list[Any]:
        return _admin_on_write(self.request)

    @extend_schema(responses=LoyaltySettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(LoyaltySettingsSerializer(services.loyalty_settings()).data)

    @extend_schema(request=LoyaltySettingsUpdateSerializer, responses=LoyaltySettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = LoyaltySettingsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.loyalty_settings_update(actor=request.user, changes=dict(serializer.validated_data))
        return Response(LoyaltySettingsSerializer(row).data)


class TierListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/loyalty/tiers/`` (anyone): the tiers, lowest minimum spend first. ``POST``
    (admins): add one -> 201 (400 ``validation_error``: a taken slug or minimum spend)."""

    serializer_class = TierSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return _admin_on_write(self.request)

    def visible_queryset(self) -> Any:
        return selectors.tier_list()

    @extend_schema(request=TierSerializer, responses={201: TierSerializer})
    def post(self, request: Request) -> Response:
        serializer = TierSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tier = services.tier_create(actor=request.user, **serializer.validated_data)
        return Response(TierSerializer(tier).data, status=status.HTTP_201_CREATED)


class TierDetailView(APIView):
    """``GET /api/v1/loyalty/tiers/{id}/`` (anyone): one tier. ``PATCH`` (admins): change it;
    ``DELETE`` (admins): remove it (its clients fall to the tier below) -> 204."""

    def get_permissions(self) -> list[Any]:
        return _admin_on_write(self.request)

    def _tier(self, pk: int) -> LoyaltyTier:
        found = selectors.tier_list().filter(pk=pk).first()
        if found is None:
            raise NotFound("No such tier.")
        return found

    @extend_schema(responses=TierSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TierSerializer(self._tier(pk)).data)

    @extend_schema(request=TierSerializer, responses=TierSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        tier = self._tier(pk)
        serializer = TierSerializer(tier, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tier = services.tier_update(actor=request.user, tier=tier, changes=dict(serializer.validated_data))
        return Response(TierSerializer(tier).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.tier_delete(actor=request.user, tier=self._tier(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAccountView(APIView):
    """``GET /api/v1/loyalty/me/`` (clients): your account (an empty one before your first points)."""

    permission_classes = _MEMBERS  # type: ignore[assignment]

    @extend_schema(responses=AccountSerializer)
    def get(self, request: Request) -> Response:
        return Response(AccountSerializer(selectors.account_of(user=request.user)).data)


class MyEntriesView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/loyalty/me/entries/`` (clients): your points ledger, newest first."""

    permission_classes = _MEMBERS  # type: ignore[assignment]
    serializer_class = EntrySerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.entry_list(user=self.request.user, account=selectors.account_of(user=self.request.user))


class RedeemView(APIView):
    """``POST /api/v1/loyalty/me/redeem/`` ``{points}`` (clients): turn points into wallet credit
    (``points x point_value``) -> 201. 400 ``validation_error`` (below the minimum); 409
    ``insufficient_points``, ``currency_mismatch``, ``conflict`` (the programme is paused)."""

    permission_classes = _MEMBERS  # type: ignore[assignment]

    @extend_schema(request=RedeemSerializer, responses={201: RedemptionSerializer})
    def post(self, request: Request) -> Response:
        serializer = RedeemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.points_redeem_for_wallet(user=request.user, points=serializer.validated_data["points"])
        assert entry.wallet_entry is not None
        body = {
            "entry": EntrySerializer(entry).data,
            "amount": str(entry.wallet_entry.balance_delta),
            "currency": entry.wallet_entry.wallet.currency,
            "balance": entry.balance_after,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class AccountListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/loyalty/accounts/`` (admins): every account, largest balance first."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = AccountSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.account_list(user=self.request.user)


class AccountDetailView(APIView):
    """``GET /api/v1/loyalty/accounts/{id}/`` (admins): one account (404 ``not_found`` otherwise)."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(responses=AccountSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(AccountSerializer(access_account(user=request.user, pk=pk)).data)


class AccountEntriesView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/loyalty/accounts/{id}/entries/`` (admins): the account's ledger, newest first."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    serializer_class = EntrySerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        account = access_account(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.entry_list(user=self.request.user, account=account)


class AdjustView(APIView):
    """``POST /api/v1/loyalty/adjustments/`` ``{user, points, reason}`` (admins): add (positive) or
    remove (negative) a user's points, saying why -> 201 with the entry. 404 ``not_found`` (no
    such user); 409 ``insufficient_points`` (the balance would go below zero)."""

    permission_classes = _ADMINS  # type: ignore[assignment]
    extra_error_statuses = (404,)

    @extend_schema(request=AdjustSerializer, responses={201: EntrySerializer})
    def post(self, request: Request) -> Response:
        serializer = AdjustSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            raise NotFound("No such user.")
        account = services.account_open(user=user)
        entry = services.points_adjust(
            account=account, points=data["points"], reason=data["reason"], actor=request.user
        )
        return Response(EntrySerializer(entry).data, status=status.HTTP_201_CREATED)
