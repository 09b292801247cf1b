"""Writing special orders API shapes. Amounts are decimal strings with 2 places (``"150.00"``) in
``currency`` (the site's pricing currency when quoted); datetimes ISO 8601 in UTC; dates
``YYYY-MM-DD``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.orders.serializers import DecimalStringField, OrderPersonSerializer
from tenant_apps.writing.special_orders.access import sees_money
from tenant_apps.writing.special_orders.models import MAX_INSTALLMENTS, Installment, SpecialOrder
from tenant_apps.writing.special_orders.services import MAX_DESCRIPTION, MAX_NOTE, MAX_REASON, MAX_TITLE


class InstallmentSerializer(serializers.ModelSerializer):
    """An installment: ``{sequence, amount, currency, due_date, status: pending|paid|cancelled,
    is_overdue, invoice_number, paid_at, reminder_sent_at, overdue_at}``. ``is_overdue``: billed,
    still pending and past its due date (computed); ``overdue_at``: when the beat task flagged it."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    invoice_number = serializers.SerializerMethodField()

    class Meta:
        model = Installment
        fields = (
            "sequence",
            "amount",
            "currency",
            "due_date",
            "status",
            "is_overdue",
            "invoice_number",
            "paid_at",
            "reminder_sent_at",
            "overdue_at",
        )
        read_only_fields = fields

    def get_invoice_number(self, installment: Installment) -> str | None:
        """The number of the invoice billing it (``null`` until the client accepts)."""
        return installment.invoice.number if installment.invoice is not None else None


class SpecialOrderSerializer(serializers.ModelSerializer):
    """A special order. ``client``, ``total``, ``admin_note``, ``reason`` and ``installments`` are
    shown to its client, support and admins; its writer sees ``null`` (``[]`` for the
    installments)."""

    client = serializers.SerializerMethodField()
    writer = OrderPersonSerializer(read_only=True, allow_null=True)
    total = serializers.SerializerMethodField()
    admin_note = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    installments = serializers.SerializerMethodField()

    class Meta:
        model = SpecialOrder
        fields = (
            "id",
            "client",
            "title",
            "description",
            "deadline",
            "status",
            "total",
            "currency",
            "admin_note",
            "reason",
            "writer",
            "installments",
            "quoted_at",
            "accepted_at",
            "started_at",
            "completed_at",
            "closed_at",
            "created_at",
        )
        read_only_fields = fields

    def _sees(self, special_order: SpecialOrder) -> bool:
        request = self.context.get("request")
        return sees_money(getattr(request, "user", None), special_order)

    @extend_schema_field(OrderPersonSerializer(allow_null=True))
    def get_client(self, special_order: SpecialOrder) -> dict[str, Any] | None:
        """``{id, full_name}`` for those who see the money, ``null`` otherwise."""
        if not self._sees(special_order):
            return None
        return {"id": special_order.client.pk, "full_name": special_order.client.full_name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_total(self, special_order: SpecialOrder) -> str | None:
        """The quoted total (``null`` before the quote, and for the writer)."""
        if special_order.total is None or not self._sees(special_order):
            return None
        return f"{special_order.total:.2f}"

    @extend_schema_field(serializers.CharField())
    def get_admin_note(self, special_order: SpecialOrder) -> str:
        """The admin's note with the quote (blank for the writer)."""
        return special_order.admin_note if self._sees(special_order) else ""

    @extend_schema_field(serializers.CharField())
    def get_reason(self, special_order: SpecialOrder) -> str:
        """Why it was declined or cancelled (blank for the writer)."""
        return special_order.reason if self._sees(special_order) else ""

    @extend_schema_field(InstallmentSerializer(many=True))
    def get_installments(self, special_order: SpecialOrder) -> list[dict[str, Any]]:
        """The plan in sequence order (prefetched; ``[]`` for the writer)."""
        if not self._sees(special_order):
            return []
        rows = sorted(special_order.installments.all(), key=lambda i: i.sequence)
        return list(InstallmentSerializer(rows, many=True).data)


class SpecialOrderRequestSerializer(serializers.Serializer):
    """``POST /special-orders/`` body: ``{title, description?, deadline?}`` (anything else is ignored)."""

    title = serializers.CharField(max_length=MAX_TITLE)
    description = serializers.CharField(max_length=MAX_DESCRIPTION, required=False, allow_blank=True, default="")
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PlanItemSerializer(serializers.Serializer):
    """One installment of a quote: ``{amount: "50.00", due_date: "2026-12-31"}``."""

    amount = DecimalStringField(max_digits=12, decimal_places=2)
    due_date = serializers.DateField()


class QuoteSerializer(serializers.Serializer):
    """``POST /special-orders/{id}/quote/`` body: ``{total, installments: [{amount, due_date}],
    admin_note?, writer?: <user id>}``."""

    total = DecimalStringField(max_digits=12, decimal_places=2)
    installments = PlanItemSerializer(many=True, min_length=1, max_length=MAX_INSTALLMENTS)  # type: ignore[call-arg]
    admin_note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    writer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class StartSerializer(serializers.Serializer):
    """``POST /special-orders/{id}/start/`` body: ``{writer?: <user id>}``."""

    writer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class ReasonSerializer(serializers.Serializer):
    """``POST /special-orders/{id}/decline/`` and ``.../cancel/`` body: ``{reason?}``."""

    reason = serializers.CharField(max_length=MAX_REASON, required=False, allow_blank=True, default="")


class InstallmentCardPaymentSerializer(serializers.Serializer):
    """A started card payment of an installment: confirm ``client_secret`` with Stripe.js."""

    special_order = serializers.IntegerField()
    installment = serializers.IntegerField()
    payment = serializers.IntegerField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()
