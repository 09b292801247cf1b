"""Request and response shapes of the payments API. Money is a string with two decimals (``"12.50"``)
in the invoice's ``currency``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.accounts.models import User
from tenant_apps.payments.models import Invoice, InvoiceLine, InvoiceStatus, Payment
from tenant_apps.payments.selectors import invoice_open_amount


class PersonSerializer(serializers.ModelSerializer):
    """A user as shown on invoices and payments: ``{id, email, full_name}``."""

    class Meta:
        model = User
        fields = ("id", "email", "full_name")
        read_only_fields = fields


class InvoiceLineSerializer(serializers.ModelSerializer):
    """An invoice line: ``{position, description, quantity, unit_price, amount}`` (``amount`` = quantity x
    unit price)."""

    class Meta:
        model = InvoiceLine
        fields = ("position", "description", "quantity", "unit_price", "amount")
        read_only_fields = fields


class ReceiptSerializer(serializers.Serializer):
    """The receipt file's id (fetch it with ``GET /api/v1/files/{id}/``), name and type."""

    id = serializers.UUIDField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer):
    """A payment of ``/api/v1/payments/`` and of an invoice's ``payments``: amount, method, status, payer,
    the offline ``tracking_code`` and ``receipt``, the decision (``decided_by``, ``reason``) or Stripe intent id,
    and ``impersonated_by``: the platform staff e-mail when it was made while impersonating the payer."""

    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    currency = serializers.CharField(source="invoice.currency", read_only=True)
    payer = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    receipt = ReceiptSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Payment
        fields = (
            "id",
            "invoice",
            "invoice_number",
            "amount",
            "currency",
            "method",
            "status",
            "payer",
            "tracking_code",
            "receipt",
            "reason",
            "decided_by",
            "decided_at",
            "stripe_payment_intent_id",
            "impersonated_by",
            "created_at",
        )
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice with its lines and payments; ``amount_due`` = total - approved payments,
    ``open_amount`` = what may still be submitted (total - approved - pending)."""

    customer = PersonSerializer(read_only=True)
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = serializers.SerializerMethodField()
    amount_pending = serializers.SerializerMethodField()
    amount_due = serializers.SerializerMethodField()
    open_amount = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = (
            "id",
            "number",
            "customer",
            "currency",
            "lines",
            "total",
            "amount_paid",
            "amount_pending",
            "amount_due",
            "open_amount",
            "status",
            "is_overdue",
            "due_date",
            "note",
            "issued_at",
            "paid_at",
            "cancelled_at",
            "cancel_reason",
            "payments",
        )
        read_only_fields = fields

    def get_payments(self, invoice: Invoice) -> list[dict[str, Any]]:
        payments = sorted(invoice.payments.all(), key=lambda p: (p.created_at, p.pk))
        for payment in payments:
            payment.invoice = invoice  # already loaded; spares a query per payment
        return PaymentSerializer(payments, many=True).data  # type: ignore[return-value]

    def _money(self, value: Decimal) -> str:
        return f"{value:.2f}"

    def get_amount_pending(self, invoice: Invoice) -> str:
        return self._money(getattr(invoice, "amount_pending", None) or Decimal("0"))

    def get_amount_due(self, invoice: Invoice) -> str:
        if invoice.status == InvoiceStatus.CANCELLED:
            return self._money(Decimal("0"))
        return self._money(invoice.total - invoice.amount_paid)

    def get_open_amount(self, invoice: Invoice) -> str:
        return self._money(invoice_open_amount(invoice))

    def get_is_overdue(self, invoice: Invoice) -> bool:
        from django.utils import timezone

        open_status = invoice.status in {InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID}
        return open_status and invoice.due_date < timezone.localdate()


class LineInputSerializer(serializers.Serializer):
    """A line of ``POST /api/v1/invoices/``: ``{description, quantity, unit_price}``."""

    description = serializers.CharField(max_length=300)
    quantity = AsciiDecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    unit_price = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0"))


class InvoiceCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/invoices/`` (finance roles): ``{customer, currency?, due_date, note?, lines}``."""

    customer = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    currency = serializers.CharField(max_length=3, required=False, help_text="ISO 4217; default DEFAULT_CURRENCY.")
    due_date = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True, allow_empty=False)


class InvoiceCancelSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/invoices/{id}/cancel/``: ``{reason?}``."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class OfflinePaymentSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/invoices/{id}/offline-payments/``: ``{amount, tracking_code, receipt}``."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    tracking_code = serializers.CharField(max_length=64)
    receipt = serializers.UUIDField(help_text="Id of the receipt you uploaded with POST /api/v1/files/.")


class StripeIntentRequestSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/invoices/{id}/stripe-payment-intent/``: ``{amount?}``."""

    amount = AsciiDecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text="Default: everything still open on the invoice.",
    )


class StripeIntentResponseSerializer(serializers.Serializer):
    """Output of ``POST /api/v1/invoices/{id}/stripe-payment-intent/``: ``{payment, payment_intent_id,
    client_secret}``."""

    payment = PaymentSerializer()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField(help_text="For Stripe.js confirmCardPayment; do not log it.")


class RejectSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/payments/{id}/reject/``: ``{reason}``."""

    reason = serializers.CharField(max_length=2000)


class WebhookResponseSerializer(serializers.Serializer):
    """Output of ``POST /api/v1/payments/stripe/webhook/``: ``{received, status, outcome}``; ``status`` is
    ``processed``, ``duplicate`` (a replay) or ``ignored`` (another tenant's event)."""

    received = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["processed", "duplicate", "ignored"])
    outcome = serializers.CharField(allow_blank=True)
