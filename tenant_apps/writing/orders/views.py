"""The writing orders API: thin views over ``services`` and ``selectors``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /orders/``, ``GET /orders/{id}/`` | users | what ``access.orders_visible_to`` allows |
| ``POST /orders/`` | clients | place an order priced by ``pricing.quote`` -> 201 ``unpaid`` |
| ``POST /orders/{id}/pay/wallet/`` | its client | pay from the wallet -> ``available`` |
| ``POST /orders/{id}/pay/card/`` | its client | a PaymentIntent; the webhook makes it ``available`` |
| ``POST /orders/{id}/request/`` | writers | request an available order (``first_request``: get it) |
| ``GET /orders/{id}/requests/`` | admins | the writers who requested it |
| ``POST /orders/{id}/assign/`` ``{writer}`` | admins | assign (or reassign) a writer |
| ``POST /orders/{id}/start/``, ``.../submit/`` | its writer | in progress; submitted for review |
| ``POST /orders/{id}/return/`` ``{notes}``, ``.../deliver/`` | editors, admins | back to the writer; to the client |
| ``POST /orders/{id}/approve/`` ``{rating?}`` | its client | completed, rated 1-5; the writer paid |
| ``POST /orders/{id}/revision/`` ``{instructions}`` | its client | a revision within the window |
| ``POST /orders/{id}/dispute/`` ``{reason}`` | its client | a delivered order disputed; support and admins told |
| ``POST /orders/{id}/resolve/`` ``{outcome, note?}`` | admins | completed (writer paid), revision, cancelled |
| ``GET /orders/{id}/refunds/`` | its client, support, admins | the order's refunds |
| ``POST /orders/{id}/refunds/`` ``{amount, reason}`` | admins | refund a paid cancelled or disputed order |
| ``POST /orders/{id}/cancel/`` ``{reason?}`` | its client while unpaid; admins | cancel (moves no money) |
| ``GET/PATCH /orders/settings/`` | admins | assignment mode, earning mode, free-revision days |

An order the user may not see answers 404 ``not_found``, like a missing one.
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
from saas.errors import PermissionDenied
from tenant_apps.accounts.models import User
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.writing.orders import selectors, services
from tenant_apps.writing.orders.access import ADMIN_ROLES, CLIENT_ROLES, WRITER_ROLES, access_order, can_view_refunds
from tenant_apps.writing.orders.filters import OrderFilter
from tenant_apps.writing.orders.models import Order
from tenant_apps.writing.orders.serializers import (
    ApproveSerializer,
    AssignSerializer,
    CancelSerializer,
    DisputeSerializer,
    NotesSerializer,
    OrderCardPaymentSerializer,
    OrderPlaceSerializer,
    OrderRefundSerializer,
    OrderSerializer,
    OrderSettingsSerializer,
    OrderSettingsUpdateSerializer,
    RefundCreateSerializer,
    ResolveSerializer,
    RevisionSerializer,
    WriterRequestSerializer,
)


def _order_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    order = access_order(user=request.user, pk=pk)
    return Response(OrderSerializer(order, context={"request": request}).data, status=status_code)


class OrderListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/orders/``: the orders you may see, newest first (client: yours; writer: the
    available pool, without the client, and the orders assigned to you; editor: the review queue
    and the orders you reviewed; support and admins: all). Filters: ``status``, ``academic_level``,
    ``deadline_after``, ``deadline_before``, ``ordering``.

    ``POST`` (clients): place an order -> 201 ``unpaid``, priced by the quote and billed by an
    invoice. 400 ``validation_error`` (the quote's rules, naming each field).
    """

    serializer_class = OrderSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = OrderFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), HasRole(*CLIENT_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.order_list(user=self.request.user)

    @extend_schema(request=OrderPlaceSerializer, responses={201: OrderSerializer})
    def post(self, request: Request) -> Response:
        serializer = OrderPlaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = services.order_place(client=request.user, **serializer.validated_data)
        return _order_response(request, order.pk, status_code=status.HTTP_201_CREATED)


class OrderDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/orders/{id}/``: one order you may see (404 otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OrderSerializer

    def visible_queryset(self) -> Any:
        return selectors.order_list(user=self.request.user)


class OrderPayWalletView(APIView):
    """``POST /api/v1/orders/{id}/pay/wallet/`` (its client): pay the order's invoice from your
    wallet; the order becomes ``available``. 402 ``insufficient_funds`` (``details``: ``required``,
    ``available``, ``currency``); 409 ``invalid_status_transition`` (not unpaid),
    ``currency_mismatch``, ``overpayment`` (a card payment is pending); 403 for anyone else."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = (402,)

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        services.order_pay_wallet(order=order, payer=request.user)
        return _order_response(request, pk)


class OrderPayCardView(APIView):
    """``POST /api/v1/orders/{id}/pay/card/`` (its client): a Stripe PaymentIntent for the order's
    invoice (the same one again while unpaid); Stripe's signed webhook makes the order
    ``available``. 409 ``invalid_status_transition`` (not unpaid); 503 ``payments_unavailable``."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = CARD_PAYMENT_ERRORS

    @extend_schema(request=None, responses=OrderCardPaymentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        started = services.order_pay_card(order=order, payer=request.user)
        body = {
            "order": order.pk,
            "payment": started.payment.pk,
            "payment_intent_id": str(started.payment.stripe_payment_intent_id),
            "client_secret": started.client_secret,
            "amount": str(started.payment.amount),
            "currency": order.currency,
        }
        return Response(body)


def _act(
    request: Request, pk: int, step: Callable[[Order, dict[str, Any]], Any], body: type[Any] | None = None
) -> Response:
    """Fetch the order ``pk`` the user sees (404 otherwise), validate ``body``, run ``step`` (one
    service call) and answer the order as it is now."""
    order = access_order(user=request.user, pk=pk)
    data: dict[str, Any] = {}
    if body is not None:
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
    step(order, data)
    return _order_response(request, pk)


class OrderRequestView(APIView):
    """``POST /api/v1/orders/{id}/request/`` (writers): ask for an available order; in
    ``first_request`` mode the first request gets it. 409 ``invalid_status_transition`` once taken."""

    permission_classes = [IsAuthenticated, HasRole(*WRITER_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(request, pk, lambda order, data: services.order_request(order=order, writer=request.user))


class OrderStartView(APIView):
    """``POST /api/v1/orders/{id}/start/`` (its writer): in progress. 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(request, pk, lambda order, data: services.order_start(order=order, actor=request.user))


class OrderSubmitView(APIView):
    """``POST /api/v1/orders/{id}/submit/`` (its writer): submit for review. 409
    ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(request, pk, lambda order, data: services.order_submit(order=order, actor=request.user))


class OrderReturnView(APIView):
    """``POST /api/v1/orders/{id}/return/`` ``{notes}`` (editors, admins): back to the writer with
    notes. 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=NotesSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_return(order=order, actor=request.user, notes=data["notes"]),
            NotesSerializer,
        )


class OrderDeliverView(APIView):
    """``POST /api/v1/orders/{id}/deliver/`` (editors, admins): deliver to the client; the
    free-revision window starts. 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(request, pk, lambda order, data: services.order_deliver(order=order, actor=request.user))


class OrderApproveView(APIView):
    """``POST /api/v1/orders/{id}/approve/`` ``{rating?: 1-5}`` (its client): completed, rated;
    the writer's earning is credited. 409 ``invalid_status_transition``, ``currency_mismatch``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ApproveSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_approve(order=order, actor=request.user, rating=data["rating"]),
            ApproveSerializer,
        )


class OrderDisputeView(APIView):
    """``POST /api/v1/orders/{id}/dispute/`` ``{reason}`` (its client): dispute the delivered
    order; support and admins are notified. 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=DisputeSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_dispute(order=order, actor=request.user, reason=data["reason"]),
            DisputeSerializer,
        )


class OrderResolveView(APIView):
    """``POST /api/v1/orders/{id}/resolve/`` ``{outcome: completed|revision_requested|cancelled,
    note?}`` (admins): resolve the dispute; ``completed`` credits the writer's earning on what
    the client kept; ``cancelled`` moves no money (see ``refunds/``). 409
    ``invalid_status_transition`` (not disputed), ``currency_mismatch``."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=ResolveSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_resolve(
                order=order, actor=request.user, outcome=data["outcome"], note=data["note"]
            ),
            ResolveSerializer,
        )


class OrderRefundsView(APIView):
    """``GET /api/v1/orders/{id}/refunds/`` (its client, support, admins): the order's refunds,
    oldest first; 403 for its writer and editor.

    ``POST`` ``{amount, reason}`` (admins): refund ``amount`` (the order's currency) of a paid,
    cancelled or disputed order to the client's wallet -> 201 the refund; the client is notified
    and e-mailed. 409 ``payment_not_refundable`` (not cancelled or disputed, or unpaid),
    ``refund_exceeds_payment`` (``details.refundable``), ``currency_mismatch``; 400
    ``invalid_amount``, ``validation_error``."""

    permission_classes = [IsAuthenticated]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), HasRole(*ADMIN_ROLES)]
        return [IsAuthenticated()]

    @extend_schema(responses=OrderRefundSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        if not can_view_refunds(request.user, order):
            raise PermissionDenied("Only the client and the site's staff see an order's refunds.")
        return Response(OrderRefundSerializer(selectors.order_refunds(order=order), many=True).data)

    @extend_schema(request=RefundCreateSerializer, responses={201: OrderRefundSerializer})
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        serializer = RefundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refund = services.order_refund(order=order, actor=request.user, **serializer.validated_data)
        return Response(OrderRefundSerializer(refund).data, status=status.HTTP_201_CREATED)


class OrderRevisionView(APIView):
    """``POST /api/v1/orders/{id}/revision/`` ``{instructions}`` (its client): ask for a revision
    within the free-revision window. 409 ``revision_window_closed``, ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RevisionSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_request_revision(
                order=order, actor=request.user, instructions=data["instructions"]
            ),
            RevisionSerializer,
        )


class OrderCancelView(APIView):
    """``POST /api/v1/orders/{id}/cancel/`` ``{reason?}`` (its client while unpaid; admins until
    submitted): cancel. Moves no money: a paid order is refunded by an admin's separate decision
    (``refunds/``). 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda order, data: services.order_cancel(order=order, actor=request.user, reason=data["reason"]),
            CancelSerializer,
        )


class OrderAssignView(APIView):
    """``POST /api/v1/orders/{id}/assign/`` ``{writer}`` (admins): give the order to a writer (or
    reassign it before review). 400 ``validation_error`` (``details.writer``: not an active
    writer); 409 ``invalid_status_transition``."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(request=AssignSerializer, responses=OrderSerializer)
    def post(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        writer = User.objects.filter(pk=serializer.validated_data["writer"]).first()
        services.order_assign(order=order, writer=writer, actor=request.user)
        return _order_response(request, pk)


class OrderRequestsView(APIView):
    """``GET /api/v1/orders/{id}/requests/`` (admins): the writers who asked for the order, oldest
    first."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(responses=WriterRequestSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        order = access_order(user=request.user, pk=pk)
        return Response(WriterRequestSerializer(selectors.order_requests(order=order), many=True).data)


class OrderSettingsView(APIView):
    """``GET/PATCH /api/v1/orders/settings/`` (admins): ``assignment_mode`` (``admin`` or
    ``first_request``), ``earning_mode`` (``share`` or ``per_page``: how writers' levels set
    their earnings, ``/writer-levels/``), ``free_revision_days`` (0-365)."""

    permission_classes = [IsAuthenticated, HasRole(*ADMIN_ROLES)]  # type: ignore[list-item]

    @extend_schema(responses=OrderSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(OrderSettingsSerializer(services.order_settings()).data)

    @extend_schema(request=OrderSettingsUpdateSerializer, responses=OrderSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = OrderSettingsUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.order_settings_update(actor=request.user, **serializer.validated_data)
        return Response(OrderSettingsSerializer(row).data)
