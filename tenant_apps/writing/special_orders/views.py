"""The writing special orders API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /special-orders/``, ``GET /special-orders/{id}/`` | users | what ``access.special_orders_visible_to`` allows |
| ``POST /special-orders/`` ``{title, description?, deadline?}`` | clients | ask for one -> 201 ``requested`` |
| ``POST /special-orders/{id}/quote/`` ``{total, installments, admin_note?, writer?}`` | admins | quote: ``quoted`` |
| ``POST /special-orders/{id}/accept/`` | its client | ``accepted``; an invoice per installment |
| ``POST /special-orders/{id}/decline/`` ``{reason?}`` | its client | ``declined`` |
| ``POST /special-orders/{id}/cancel/`` ``{reason?}`` | its client before accepting; admins | ``cancelled`` |
| ``POST /special-orders/{id}/start/`` ``{writer?}`` | admins | ``in_progress`` once installment 1 is paid |
| ``POST /special-orders/{id}/complete/`` | admins | ``completed`` once every installment is paid |
| ``POST /special-orders/{id}/installments/{n}/pay/wallet/`` | its client | pay installment ``n`` from the wallet |
| ``POST /special-orders/{id}/installments/{n}/pay/card/`` | its client | a PaymentIntent; the webhook marks it paid |

A special order the user may not see answers 404 ``not_found``, like a missing one.
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
from saas.errors import ApplicationError, ErrorCode
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.writing.special_orders import selectors, services
from tenant_apps.writing.special_orders.access import ADMIN_ROLES, CLIENT_ROLES, access_special_order
from tenant_apps.writing.special_orders.filters import SpecialOrderFilter
from tenant_apps.writing.special_orders.models import SpecialOrder
from tenant_apps.writing.special_orders.serializers import (
    InstallmentCardPaymentSerializer,
    QuoteSerializer,
    ReasonSerializer,
    SpecialOrderRequestSerializer,
    SpecialOrderSerializer,
    StartSerializer,
)


def _response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    found = access_special_order(user=request.user, pk=pk)
    return Response(SpecialOrderSerializer(found, context={"request": request}).data, status=status_code)


def _writer(writer_id: int | None) -> User | None:
    """The user ``writer_id`` names (``None`` for none); 400 ``validation_error`` when missing (the
    service checks they are an active writer)."""
    if writer_id is None:
        return None
    writer = User.objects.filter(pk=writer_id).first()
    if writer is None:
        raise ApplicationError(
            "Not an active writer of this site.",
            code=ErrorCode.VALIDATION_ERROR,
            details={"writer": ["Not an active writer of this site."]},
        )
    return writer


def _act(
    request: Request, pk: int, step: Callable[[SpecialOrder, dict[str, Any]], Any], body: type[Any] | None = None
) -> Response:
    """Fetch the special order ``pk`` the user sees (404 otherwise), validate ``body``, run ``step``
    (one service call) and answer the special order as it is now."""
    found = access_special_order(user=request.user, pk=pk)
    data: dict[str, Any] = {}
    if body is not None:
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
    step(found, data)
    return _response(request, pk)


class SpecialOrderListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/special-orders/``: the special orders you may see, newest first (client: yours;
    writer: those assigned to you, without the client or the money; support and admins: all;
    editors: none). Filter: ``status``.

    ``POST`` (clients) ``{title, description?, deadline?}``: ask for a special order -> 201
    ``requested``. 400 ``validation_error``.
    """

    serializer_class = SpecialOrderSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = SpecialOrderFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), HasRole(*CLIENT_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.special_order_list(user=self.request.user)

    @extend_schema(request=SpecialOrderRequestSerializer, responses={201: SpecialOrderSerializer})
    def post(self, request: Request) -> Response:
        serializer = SpecialOrderRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.special_order_request(client=request.user, **serializer.validated_data)
        return _response(request, created.pk, status_code=status.HTTP_201_CREATED)


class SpecialOrderDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/special-orders/{id}/``: one special order you may see (404 otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SpecialOrderSerializer

    def visible_queryset(self) -> Any:
        return selectors.special_order_list(user=self.request.user)


class SpecialOrderQuoteView(APIView):
    """``POST /api/v1/special-orders/{id}/quote/`` ``{total, installments: [{amount, due_date}],
    admin_note?, writer?}`` (admins): quote it (again, while quoted) in the pricing currency.
    400 ``validation_error`` / ``invalid_amount`` (the plan's rules, ``details`` naming the field);
    409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=QuoteSerializer, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        def step(found: SpecialOrder, data: dict[str, Any]) -> Any:
            return services.special_order_quote(
                special_order=found,
                actor=request.user,
                total=data["total"],
                installments=[dict(item) for item in data["installments"]],  # type: ignore[misc]
                admin_note=data["admin_note"],
                writer=_writer(data["writer"]),
            )

        return _act(request, pk, step, QuoteSerializer)


class SpecialOrderAcceptView(APIView):
    """``POST /api/v1/special-orders/{id}/accept/`` (its client): accept the quote; every
    installment is invoiced. 409 ``invalid_status_transition``, ``quote_expired``; 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request, pk, lambda found, data: services.special_order_accept(special_order=found, actor=request.user)
        )


class SpecialOrderDeclineView(APIView):
    """``POST /api/v1/special-orders/{id}/decline/`` ``{reason?}`` (its client): decline the quote.
    409 ``invalid_status_transition``; 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReasonSerializer, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda found, data: services.special_order_decline(
                special_order=found, actor=request.user, reason=data["reason"]
            ),
            ReasonSerializer,
        )


class SpecialOrderCancelView(APIView):
    """``POST /api/v1/special-orders/{id}/cancel/`` ``{reason?}`` (its client while requested or
    quoted; admins until completed): pending installments cancelled, their invoices called off.
    409 ``invalid_status_transition``; 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReasonSerializer, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda found, data: services.special_order_cancel(
                special_order=found, actor=request.user, reason=data["reason"]
            ),
            ReasonSerializer,
        )


class SpecialOrderStartView(APIView):
    """``POST /api/v1/special-orders/{id}/start/`` ``{writer?}`` (admins): in progress, once the
    first installment is paid. 409 ``installments_unpaid``, ``invalid_status_transition``; 400
    ``validation_error`` (``details.writer``)."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=StartSerializer, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda found, data: services.special_order_start(
                special_order=found, actor=request.user, writer=_writer(data["writer"])
            ),
            StartSerializer,
        )


class SpecialOrderCompleteView(APIView):
    """``POST /api/v1/special-orders/{id}/complete/`` (admins): completed, once every installment
    is paid. 409 ``installments_unpaid`` (``details.unpaid``), ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=None, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request, pk, lambda found, data: services.special_order_complete(special_order=found, actor=request.user)
        )


class InstallmentPayWalletView(APIView):
    """``POST /api/v1/special-orders/{id}/installments/{n}/pay/wallet/`` (its client): pay
    installment ``n`` from your wallet. 402 ``insufficient_funds``; 409 ``installment_out_of_order``
    (an earlier one is unpaid), ``invalid_status_transition`` (nothing to pay), ``overpayment``,
    ``currency_mismatch``; 404 (no such installment); 403 for anyone else."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = (402,)

    @extend_schema(request=None, responses=SpecialOrderSerializer)
    def post(self, request: Request, pk: int, sequence: int) -> Response:
        return _act(
            request,
            pk,
            lambda found, data: services.installment_pay_wallet(
                special_order=found, sequence=sequence, payer=request.user
            ),
        )


class InstallmentPayCardView(APIView):
    """``POST /api/v1/special-orders/{id}/installments/{n}/pay/card/`` (its client): a Stripe
    PaymentIntent for installment ``n`` (the same one again while unpaid); the webhook marks it
    paid. The refusals of the wallet payment, and 503 ``payments_unavailable``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=InstallmentCardPaymentSerializer)
    def post(self, request: Request, pk: int, sequence: int) -> Response:
        found = access_special_order(user=request.user, pk=pk)
        started = services.installment_pay_card(special_order=found, sequence=sequence, payer=request.user)
        body = {
            "special_order": found.pk,
            "installment": sequence,
            "payment": started.payment.pk,
            "payment_intent_id": str(started.payment.stripe_payment_intent_id),
            "client_secret": started.client_secret,
            "amount": str(started.payment.amount),
            "currency": started.installment.currency,
        }
        return Response(body)
