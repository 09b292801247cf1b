"""The referrals API (writing sites): thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /referrals/me/`` | clients | your code, link, the reward, your referrals, who referred you |
| ``POST /referrals/claim/`` ``{code}`` | clients | the code's owner referred you -> 201 |
| ``GET /referrals/`` | admins | every referral, newest first |
| ``GET``/``PATCH /referrals/settings/`` | admins | ``enabled``, ``reward_kind``, ``reward_amount``, ``reward_points`` |

Refusals: 400 ``referral_code_invalid``; 400/409 ``referral_refused`` with ``details.reason``
(``services.referral_claim``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.referrals import selectors, services
from tenant_apps.writing.referrals.access import can_manage_referrals, can_refer
from tenant_apps.writing.referrals.serializers import (
    ReferralClaimSerializer,
    ReferralMeSerializer,
    ReferralSerializer,
    ReferralSettingsSerializer,
    ReferralSettingsUpdateSerializer,
    ReferredBySerializer,
)

_CLIENT = Allows(can_refer)
_ADMIN = Allows(can_manage_referrals)


class ReferralMeView(APIView):
    """``GET /api/v1/referrals/me/`` (clients): your referral ``code`` and ``link``
    (``<site>/register?ref=CODE``; the code is created on first need), the site's ``reward``, the
    ``referrals`` you made (the referred client's first name, status, reward) and ``referred_by``
    (the referral that brought you, or ``null``)."""

    permission_classes = [IsAuthenticated, _CLIENT]  # type: ignore[list-item]

    @extend_schema(responses=ReferralMeSerializer)
    def get(self, request: Request) -> Response:
        code = services.referral_code_for(user=request.user)
        data = {
            "code": code.code,
            "link": services.referral_link(code.code),
            "reward": services.referral_settings(),
            "referred_by": selectors.referral_of(user=request.user),
            "referrals": list(selectors.referrals_made_by(user=request.user)),
        }
        return Response(ReferralMeSerializer(data).data)


class ReferralClaimView(APIView):
    """``POST /api/v1/referrals/claim/`` (clients) ``{code}``: you were referred by the code's
    owner; both of you get the site's reward when your first order completes -> 201 with the
    referral. 400 ``referral_code_invalid``; 400 ``referral_refused`` (``own_code``,
    ``same_email``, ``mutual``, ``same_card``); 409 ``referral_refused`` (``already_referred``,
    ``order_completed``, ``disabled``)."""

    permission_classes = [IsAuthenticated, _CLIENT]  # type: ignore[list-item]

    @extend_schema(request=ReferralClaimSerializer, responses={201: ReferredBySerializer})
    def post(self, request: Request) -> Response:
        serializer = ReferralClaimSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_claim(user=request.user, code=serializer.validated_data["code"])
        return Response(ReferredBySerializer(referral).data, status=status.HTTP_201_CREATED)


class ReferralListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/referrals/`` (admins): every referral, newest first (paginated), with both
    clients, the status, the order that landed the reward and what each side got."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]
    serializer_class = ReferralSerializer
    filter_backends: list[Any] = []

    def visible_queryset(self) -> Any:
        return selectors.referral_list(user=self.request.user)


class ReferralSettingsView(APIView):
    """``GET/PATCH /api/v1/referrals/settings/`` (admins): ``enabled``, ``reward_kind``
    (``wallet``: ``reward_amount`` in the wallet currency to each side; ``points``:
    ``reward_points`` loyalty points to each side). 400 ``validation_error``, ``invalid_amount``."""

    permission_classes = [IsAuthenticated, _ADMIN]  # type: ignore[list-item]

    @extend_schema(responses=ReferralSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(ReferralSettingsSerializer(services.referral_settings()).data)

    @extend_schema(request=ReferralSettingsUpdateSerializer, responses=ReferralSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ReferralSettingsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.referral_settings_update(actor=request.user, **serializer.validated_data)
        return Response(ReferralSettingsSerializer(row).data)
