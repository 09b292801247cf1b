"""The writing wallets API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /wallet/top-ups/`` | users | your card top-ups, newest first, with their status |
| ``POST /wallet/top-ups/`` ``{amount}`` | clients | an invoice and a PaymentIntent; the webhook credits the wallet |
| ``GET /payouts/`` ``?status=`` | users | admins: every request; others: their own |
| ``POST /payouts/`` ``{amount}`` | writers | ask for a payout; the amount is held at once |
| ``GET /payouts/{id}/`` | its writer, admins | one request |
| ``POST /payouts/{id}/approve/`` ``{note?}`` | admins | approve a requested payout |
| ``POST /payouts/{id}/reject/`` ``{note}`` | admins | reject it; the held money is released |
| ``POST /payouts/{id}/mark-paid/`` ``{reference}`` | admins | paid: the held money leaves the wallet |

A payout request the user may not see answers 404 ``not_found``, like a missing one.
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

from saas.api.schema import CARD_PAYMENT_ERRORS
from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.wallets import selectors, services
from tenant_apps.writing.wallets.access import (
    access_payout,
    can_decide_payouts,
    can_request_payout,
    can_top_up,
)
from tenant_apps.writing.wallets.filters import PayoutFilter
from tenant_apps.writing.wallets.models import PayoutRequest
from tenant_apps.writing.wallets.serializers import (
    AmountSerializer,
    PayoutApproveSerializer,
    PayoutMarkPaidSerializer,
    PayoutRejectSerializer,
    PayoutSerializer,
    TopUpCheckoutSerializer,
    TopUpSerializer,
)


class TopUpListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/wallet/top-ups/``: your card top-ups, newest first (``pending`` until the card
    payment arrives, then ``credited``).

    ``POST`` ``{amount}`` (clients): start a top-up in the site's pricing currency -> 201 with the
    top-up and the PaymentIntent's ``client_secret`` (confirm it with Stripe.js); Stripe's signed
    webhook credits the wallet. 400 ``invalid_amount`` (outside the site's limits); 409
    ``currency_mismatch``; 503 ``payments_unavailable`` (no card payments on this site).
    """

    serializer_class = TopUpSerializer
    filter_backends: list[Any] = []
    extra_error_statuses = {"POST": CARD_PAYMENT_ERRORS}

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), Allows(can_top_up)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.top_up_list(user=self.request.user)

    @extend_schema(request=AmountSerializer, responses={201: TopUpCheckoutSerializer})
    def post(self, request: Request) -> Response:
        serializer = AmountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = services.top_up_start(client=request.user, amount=serializer.validated_data["amount"])
        top_up = selectors.top_up_list(user=request.user).get(pk=started.top_up.pk)
        body = {
            "top_up": TopUpSerializer(top_up).data,
            "payment": started.payment.pk,
            "payment_intent_id": str(started.payment.stripe_payment_intent_id),
            "client_secret": started.client_secret,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class PayoutListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/payouts/``: admins: every payout request; anyone else: their own; newest
    first. Filter: ``status`` (repeatable).

    ``POST`` ``{amount}`` (writers): ask for a payout of part or all of your balance -> 201
    ``requested``; the amount is held in your wallet at once. 400 ``invalid_amount`` (below the
    site's minimum); 409 ``insufficient_funds`` (more than your balance).
    """

    serializer_class = PayoutSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PayoutFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), Allows(can_request_payout)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.payout_list(user=self.request.user)

    @extend_schema(request=AmountSerializer, responses={201: PayoutSerializer})
    def post(self, request: Request) -> Response:
        serializer = AmountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payout = services.payout_request(writer=request.user, amount=serializer.validated_data["amount"])
        return _payout_response(request, payout.pk, status_code=status.HTTP_201_CREATED)


class PayoutDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/payouts/{id}/``: one payout request, to its writer and the admins (404 otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = PayoutSerializer

    def visible_queryset(self) -> Any:
        return selectors.payout_list(user=self.request.user)


def _payout_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(PayoutSerializer(access_payout(user=request.user, pk=pk)).data, status=status_code)


def _decide(
    request: Request, pk: int, body: type[Any], step: Callable[[PayoutRequest, dict[str, Any]], Any]
) -> Response:
    """Fetch the payout request ``pk`` the admin sees (404 otherwise), validate ``body``, run
    ``step`` (one service call) and answer the request as it is now."""
    payout = access_payout(user=request.user, pk=pk)
    serializer = body(data=request.data)
    serializer.is_valid(raise_exception=True)
    step(payout, serializer.validated_data)
    return _payout_response(request, pk)


_ADMINS = [IsAuthenticated, Allows(can_decide_payouts)]


class PayoutApproveView(APIView):
    """``POST /api/v1/payouts/{id}/approve/`` ``{note?}`` (admins): approve a requested payout; the
    writer is told. 409 ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=PayoutApproveSerializer, responses=PayoutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(
            request,
            pk,
            PayoutApproveSerializer,
            lambda payout, data: services.payout_approve(payout=payout, actor=request.user, note=data["note"]),
        )


class PayoutRejectView(APIView):
    """``POST /api/v1/payouts/{id}/reject/`` ``{note}`` (admins): reject a requested or approved
    payout saying why; the held money returns to the writer's balance. 409
    ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=PayoutRejectSerializer, responses=PayoutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(
            request,
            pk,
            PayoutRejectSerializer,
            lambda payout, data: services.payout_reject(payout=payout, actor=request.user, note=data["note"]),
        )


class PayoutMarkPaidView(APIView):
    """``POST /api/v1/payouts/{id}/mark-paid/`` ``{reference}`` (admins): an approved payout was
    paid (a bank transfer's reference); the held money leaves the writer's wallet as a ``payout``
    ledger row. 409 ``invalid_status_transition``."""

    permission_classes = _ADMINS  # type: ignore[assignment]

    @extend_schema(request=PayoutMarkPaidSerializer, responses=PayoutSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _decide(
            request,
            pk,
            PayoutMarkPaidSerializer,
            lambda payout, data: services.payout_mark_paid(
                payout=payout, actor=request.user, reference=data["reference"]
            ),
        )
