"""The bookings API (rental sites): thin views over ``services``, ``selectors`` and ``pricing``.

| method and path | who | does |
| --- | --- | --- |
| ``GET /bookings/quote/?property=&check_in=&check_out=&guests=`` | anyone | the stay's price (``pricing.quote``) |
| ``POST /bookings/`` ``{property, check_in, check_out, guests}`` | guests | book (pending, dates held) -> 201 |
| ``GET /bookings/``, ``GET /bookings/{id}/`` | users | guest: own; host: their properties'; staff: all |
| ``POST /bookings/{id}/pay/`` | its guest | a PaymentIntent; the webhook confirms |
| ``POST /bookings/{id}/cancel/`` ``{reason}`` | its guest, admins | cancel, refund by policy |

A booking the user may not see answers 404 ``not_found``, like a missing one.
"""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import CARD_PAYMENT_ERRORS
from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.rental.bookings import availability, pricing, selectors, services
from tenant_apps.rental.bookings.access import GUEST_ROLES, access_booking
from tenant_apps.rental.bookings.filters import BookingFilter
from tenant_apps.rental.bookings.serializers import (
    BookingCreateSerializer,
    BookingPaymentSerializer,
    BookingSerializer,
    CancelSerializer,
    QuoteQuerySerializer,
    QuoteSerializer,
)


def _booking_response(request: Request, pk: Any, *, status_code: int = status.HTTP_200_OK) -> Response:
    booking = access_booking(user=request.user, pk=pk)
    return Response(BookingSerializer(booking, context={"request": request}).data, status=status_code)


class BookingQuoteView(APIView):
    """``GET /api/v1/bookings/quote/?property=&check_in=&check_out=&guests=`` (public): the price of
    a stay (``nights x nightly_price + cleaning_fee``) and whether its nights are free now. 400
    ``validation_error`` for what booking it would refuse (past dates, check-out not after
    check-in, too many guests, fewer than the minimum nights)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(parameters=[QuoteQuerySerializer], responses=QuoteSerializer)
    def get(self, request: Request) -> Response:
        serializer = QuoteQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        prop = data["property"]
        price = pricing.quote(
            property=prop, check_in=data["check_in"], check_out=data["check_out"], guests=data["guests"]
        )
        free = availability.is_available(prop, check_in=data["check_in"], check_out=data["check_out"])
        return Response(QuoteSerializer.of(property=prop, data=data, quote=price, available=free))


class BookingListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/bookings/``: the bookings you may see, newest first (guest: yours; host: your
    properties', with the guest's name but not their e-mail or phone; customer service and admins:
    all). Filters: ``status``, ``property``, ``check_in_after``, ``check_in_before``,
    ``occupies_from``, ``occupies_to``.

    ``POST`` ``{property, check_in, check_out, guests}`` (guests): book the stay -> 201, pending
    until paid (``pay/``), its dates held until ``expires_at``. 400 ``validation_error`` (the
    quote's rules; ``property`` unpublished or your own), 409 ``dates_unavailable``.
    """

    serializer_class = BookingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = BookingFilter

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), HasRole(*GUEST_ROLES)]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.booking_list(user=self.request.user)

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def post(self, request: Request) -> Response:
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking = services.booking_create(guest=request.user, **serializer.validated_data)
        return _booking_response(request, booking.pk, status_code=status.HTTP_201_CREATED)


class BookingDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):
    """``GET /api/v1/bookings/{id}/``: one booking you may see (404 otherwise)."""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer

    def visible_queryset(self) -> Any:
        return selectors.booking_list(user=self.request.user)


class BookingPayView(APIView):
    """``POST /api/v1/bookings/{id}/pay/`` (its guest): a Stripe PaymentIntent for the booking's
    invoice (the same one again while it is unpaid); Stripe's signed webhook confirms the booking
    and the paid invoice's PDF is e-mailed. 403 for anyone else who sees it; 409
    ``invalid_status_transition`` (not pending, or the hold has run out); 503
    ``payments_unavailable`` when the site takes no cards."""

    permission_classes = [IsAuthenticated]
    extra_error_statuses = CARD_PAYMENT_ERRORS

    @extend_schema(request=None, responses=BookingPaymentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        booking = access_booking(user=request.user, pk=pk)
        started = services.booking_pay(booking=booking, payer=request.user)
        body = {
            "booking": booking.pk,
            "payment": started.payment.pk,
            "payment_intent_id": str(started.payment.stripe_payment_intent_id),
            "client_secret": started.client_secret,
            "amount": str(started.payment.amount),
            "currency": booking.currency,
        }
        return Response(body)


class BookingCancelView(APIView):
    """``POST /api/v1/bookings/{id}/cancel/`` ``{reason}`` (its guest, admins): cancel; a paid
    booking is refunded ``refund_amount`` by card under the property's cancellation policy. 403
    for the host and customer service; 409 ``invalid_status_transition`` once completed, cancelled
    or expired."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CancelSerializer, responses=BookingSerializer)
    def post(self, request: Request, pk: int) -> Response:
        booking = access_booking(user=request.user, pk=pk)
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.booking_cancel(booking=booking, actor=request.user, reason=serializer.validated_data["reason"])
        return _booking_response(request, pk)
