"""Thin API views for invoices and payments: check access, call one service, serialize.

Objects the user may not see answer 404 (``access.access_*``); actions their role does not
allow on objects they may see answer 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.errors import ApplicationError
from saas.api.filters import StrictBooleanField
from saas.api.schema import CARD_PAYMENT_ERRORS
from saas.api.views import VisibleQuerysetMixin
from saas.errors import ErrorCode
from tenant_apps.files.models import StoredFile
from tenant_apps.payments import selectors, services
from tenant_apps.payments.access import access_invoice, access_payment, user_is_finance
from tenant_apps.payments.models import InvoiceStatus, PaymentMethod, PaymentStatus
from tenant_apps.payments.pdf import render_invoice_pdf
from tenant_apps.payments.serializers import (
    InvoiceCancelSerializer,
    InvoiceCreateSerializer,
    InvoiceSerializer,
    OfflinePaymentSerializer,
    PaymentSerializer,
    RejectSerializer,
    StripeIntentRequestSerializer,
    StripeIntentResponseSerializer,
    WebhookResponseSerializer,
)


class IsFinance(BasePermission):
    """The current kind's finance roles: ``financial`` (where the kind has it) or ``admin``."""

    message = "Your role does not allow this action."

    def has_permission(self, request: Any, view: Any) -> bool:
        return user_is_finance(request.user)


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ApplicationError(
            f"'{name}' must be an integer.", code=ErrorCode.VALIDATION_ERROR, details={name: ["A whole number."]}
        ) from None


def _choice_param(request: Request, name: str, choices: list[str]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ApplicationError(
            f"Unknown {name} {value!r}.",
            code=ErrorCode.VALIDATION_ERROR,
            details={name: [f"Choose from: {', '.join(choices)}."]},
        )
    return value


def _bool_param(request: Request, name: str) -> bool | None:
    try:
        return StrictBooleanField(required=False).clean(request.query_params.get(name))
    except DjangoValidationError as exc:
        raise ApplicationError(
            f"'{name}' must be true or false.", code=ErrorCode.VALIDATION_ERROR, details={name: exc.messages}
        ) from None


def _detail(request: Request, pk: Any) -> Response:
    return Response(InvoiceSerializer(access_invoice(user=request.user, pk=pk)).data)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=InvoiceStatus.values),
        OpenApiParameter("customer", int, description="Customer's user id (finance users)."),
        OpenApiParameter("overdue", bool),
    ]
)
class InvoiceListCreateView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/invoices/``: the invoices you may see. ``POST``: issue one (finance roles)."""

    serializer_class = InvoiceSerializer
    search_fields = ("number", "customer__email", "customer__full_name")
    ordering_fields = ("issued_at", "due_date", "total", "number")

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [IsAuthenticated(), IsFinance()]
        return [IsAuthenticated()]

    def visible_queryset(self) -> Any:
        return selectors.invoice_list(
            user=self.request.user,
            status=_choice_param(self.request, "status", InvoiceStatus.values),
            customer_id=_int_param(self.request, "customer"),
            overdue=_bool_param(self.request, "overdue"),
        )

    @extend_schema(request=InvoiceCreateSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request) -> Response:
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invoice = services.invoice_create(
            customer=data["customer"],
            lines=data["lines"],
            due_date=data["due_date"],
            currency=data.get("currency"),
            note=data["note"],
            created_by=request.user,
        )
        return Response(
            InvoiceSerializer(access_invoice(user=request.user, pk=invoice.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class InvoiceDetailView(APIView):
    """``GET /api/v1/invoices/{id}/``: the invoice, its lines and payments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=InvoiceSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _detail(request, pk)


class InvoiceCancelView(APIView):
    """``POST /api/v1/invoices/{id}/cancel/`` ``{reason?}`` (finance roles): pending payments are rejected."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=InvoiceCancelSerializer, responses=InvoiceSerializer)
    def post(self, request: Request, pk: int) -> Response:
        invoice = access_invoice(user=request.user, pk=pk)
        serializer = InvoiceCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.invoice_cancel(invoice=invoice, actor=request.user, reason=serializer.validated_data["reason"])
        return _detail(request, pk)


class InvoicePdfView(APIView):
    """``GET /api/v1/invoices/{id}/pdf/``: the invoice as a PDF, rendered now."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The PDF bypasses renderers; errors are JSON whatever the client asked for.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request: Request, pk: int) -> HttpResponse:
        invoice = access_invoice(user=request.user, pk=pk)
        response = HttpResponse(render_invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response


class InvoiceOfflinePaymentView(APIView):
    """``POST /api/v1/invoices/{id}/offline-payments/`` ``{amount, tracking_code, receipt}``: pending."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=OfflinePaymentSerializer, responses={201: PaymentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        invoice = access_invoice(user=request.user, pk=pk)
        serializer = OfflinePaymentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        receipt = StoredFile.objects.filter(pk=data["receipt"]).first()
        if receipt is None:
            raise ApplicationError(
                "The receipt must be a PDF or image file you uploaded.",
                code=ErrorCode.INVALID_RECEIPT,
                details={"receipt": ["No such file."]},
            )
        payment = services.payment_offline_submit(
            invoice=invoice,
            payer=request.user,
            amount=data["amount"],
            tracking_code=data["tracking_code"],
            receipt=receipt,
        )
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class InvoiceStripeIntentView(APIView):
    """``POST /api/v1/invoices/{id}/stripe-payment-intent/`` ``{amount?}``: a card payment.

    201 with a new pending payment, or 200 with your earlier unpaid one of the same amount; the
    ``client_secret`` goes to Stripe.js. 503 ``payments_unavailable`` when Stripe is not configured.
    """

    permission_classes = [IsAuthenticated]
    extra_error_statuses = CARD_PAYMENT_ERRORS

    @extend_schema(
        request=StripeIntentRequestSerializer,
        responses={201: StripeIntentResponseSerializer, 200: StripeIntentResponseSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        invoice = access_invoice(user=request.user, pk=pk)
        serializer = StripeIntentRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        checkout = services.payment_stripe_start(
            invoice=invoice, payer=request.user, amount=serializer.validated_data.get("amount")
        )
        body = {
            "payment": PaymentSerializer(checkout.payment).data,
            "payment_intent_id": checkout.payment.stripe_payment_intent_id,
            "client_secret": checkout.client_secret,
        }
        return Response(body, status=status.HTTP_201_CREATED if checkout.created else status.HTTP_200_OK)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=PaymentStatus.values),
        OpenApiParameter("method", str, enum=PaymentMethod.values),
        OpenApiParameter("invoice", int),
    ]
)
class PaymentListView(VisibleQuerysetMixin, generics.ListAPIView):
    """``GET /api/v1/payments/``: payments you may see; finance users' queue is ``?status=pending``."""

    permission_classes = [IsAuthenticated]
    serializer_class = PaymentSerializer
    search_fields = ("tracking_code", "invoice__number", "payer__email")
    ordering_fields = ("created_at", "amount")

    def visible_queryset(self) -> Any:
        return selectors.payment_list(
            user=self.request.user,
            status=_choice_param(self.request, "status", PaymentStatus.values),
            method=_choice_param(self.request, "method", PaymentMethod.values),
            invoice_id=_int_param(self.request, "invoice"),
        )


class PaymentDetailView(APIView):
    """``GET /api/v1/payments/{id}/``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PaymentSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PaymentSerializer(access_payment(user=request.user, pk=pk)).data)


class PaymentApproveView(APIView):
    """``POST /api/v1/payments/{id}/approve/`` (finance roles): approve a pending offline payment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=PaymentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payment = access_payment(user=request.user, pk=pk)
        services.payment_approve(payment=payment, actor=request.user)
        return Response(PaymentSerializer(access_payment(user=request.user, pk=pk)).data)


class PaymentRejectView(APIView):
    """``POST /api/v1/payments/{id}/reject/`` ``{reason}`` (finance roles): reject a pending payment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RejectSerializer, responses=PaymentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        payment = access_payment(user=request.user, pk=pk)
        serializer = RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.payment_reject(payment=payment, actor=request.user, reason=serializer.validated_data["reason"])
        return Response(PaymentSerializer(access_payment(user=request.user, pk=pk)).data)


class StripeWebhookView(APIView):
    """``POST /api/v1/payments/stripe/webhook/``: Stripe's events for this site (no login; signed).

    200 ``{"received": true, "status": "processed" | "duplicate" | "ignored", "outcome"}``: replays
    are ``duplicate`` and change nothing; events of another tenant are ``ignored`` (200, so Stripe
    does not retry them). 400 ``invalid_signature`` / ``invalid_payload``; 503 without
    ``STRIPE_WEBHOOK_SECRET``.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(request={"application/json": dict}, responses=WebhookResponseSerializer)
    def post(self, request: Request) -> Response:
        result = services.stripe_event_process(
            payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE")
        )
        return Response({"received": True, "status": result.status, "outcome": result.outcome})
