"""Writing orders API shapes. Amounts are decimal strings with 2 places (``"24.00"``) in
``currency`` (the site's pricing currency when the order was placed); datetimes ISO 8601 in UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.orders.access import can_view_refunds, sees_client
from tenant_apps.writing.orders.models import AssignmentMode, EarningMode, Order, OrderRefund, OrderSettings
from tenant_apps.writing.orders.services.disputes import MAX_DISPUTE_TEXT, OUTCOMES
from tenant_apps.writing.orders.services.placement import MAX_INSTRUCTIONS, MAX_TOPIC
from tenant_apps.writing.orders.services.refunds import MAX_REFUND_REASON
from tenant_apps.writing.pricing.models import OrderOption
from tenant_apps.writing.pricing.serializers import QuoteRequestSerializer

#: The most sources an order may name.
MAX_SOURCES = 1000
#: The longest notes or revision instructions, in characters.
MAX_NOTES = 20000


def _money() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class OptionRefSerializer(serializers.ModelSerializer):
    """An option the order names: ``{id, slug, name}``."""

    class Meta:
        model = OrderOption
        fields = ("id", "slug", "name")
        read_only_fields = fields


class OrderPersonSerializer(serializers.Serializer):
    """A person on an order: ``{id, full_name}`` (never an e-mail address)."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PriceLineSerializer(serializers.Serializer):
    """A price line copied from the quote: ``{kind: "pages"|"extra"|"discount"|"loyalty", slug,
    description, amount}`` (``amount`` negative for ``discount`` and ``loyalty``)."""

    kind = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    amount = serializers.CharField()


class OrderSerializer(serializers.ModelSerializer):
    """An order. ``client`` is ``{id, full_name}`` for the client, support and admins and ``null``
    for writers and editors (the client stays anonymous to them). ``is_late``: the deadline has
    passed and the order has not been delivered. ``rating``: the client's, 1-5, given when
    approving (``null`` otherwise); ``dispute_reason``: the client's, when they disputed the
    delivery; ``refunded``: what the order's refunds add up to, for those who see the refunds
    (the client, support, admins; ``null`` for writers and editors)."""

    client = serializers.SerializerMethodField()
    writer = OrderPersonSerializer(read_only=True, allow_null=True)
    editor = OrderPersonSerializer(read_only=True, allow_null=True)
    paper_type = OptionRefSerializer(read_only=True, allow_null=True)
    academic_level = OptionRefSerializer(read_only=True)
    subject = OptionRefSerializer(read_only=True, allow_null=True)
    formatting_style = OptionRefSerializer(read_only=True, allow_null=True)
    language = OptionRefSerializer(read_only=True, allow_null=True)
    price_per_page = _money()
    subtotal = _money()
    extras_total = _money()
    discount_total = _money()
    loyalty_total = _money()
    total = _money()
    earning = _money()
    price_lines = PriceLineSerializer(many=True, read_only=True)
    extras = serializers.ListField(child=serializers.CharField(), read_only=True)
    invoice_number = serializers.SerializerMethodField()
    is_late = serializers.BooleanField(read_only=True)
    refunded = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = (
            "id",
            "number",
            "status",
            "client",
            "writer",
            "editor",
            "topic",
            "paper_type",
            "academic_level",
            "subject",
            "formatting_style",
            "language",
            "pages",
            "spacing",
            "deadline",
            "is_late",
            "sources",
            "instructions",
            "extras",
            "currency",
            "price_per_page",
            "subtotal",
            "extras_total",
            "discount_total",
            "loyalty_total",
            "total",
            "price_lines",
            "invoice_number",
            "revision_count",
            "revision_instructions",
            "editor_notes",
            "earning",
            "rating",
            "dispute_reason",
            "refunded",
            "paid_at",
            "assigned_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(OrderPersonSerializer(allow_null=True))
    def get_client(self, order: Order) -> dict[str, Any] | None:
        request = self.context.get("request")
        if request is None or not sees_client(request.user, order):
            return None
        return {"id": order.client_id, "full_name": order.client.full_name}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invoice_number(self, order: Order) -> str | None:
        request = self.context.get("request")
        if order.invoice is None or request is None or not sees_client(request.user, order):
            return None
        return order.invoice.number

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_refunded(self, order: Order) -> str | None:
        request = self.context.get("request")
        if request is None or not can_view_refunds(request.user, order):
            return None
        return str(getattr(order, "refunded", None) or Decimal("0.00"))


class OrderPlaceSerializer(QuoteRequestSerializer):
    """``POST /orders/`` body: the quote's fields (option slugs, an aware ``deadline``, ``pages``,
    ``spacing``, ``extras``, ``discount_code``, ``redeem_points``) plus ``topic``, ``sources`` and
    ``instructions``."""

    topic = serializers.CharField(max_length=MAX_TOPIC)
    sources = serializers.IntegerField(min_value=0, max_value=MAX_SOURCES, required=False, default=0)
    instructions = serializers.CharField(max_length=MAX_INSTRUCTIONS, required=False, allow_blank=True, default="")


class OrderCardPaymentSerializer(serializers.Serializer):
    """A started card payment: confirm ``client_secret`` with Stripe.js."""

    order = serializers.IntegerField()
    payment = serializers.IntegerField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    amount = serializers.CharField()
    currency = serializers.CharField()


class AssignSerializer(serializers.Serializer):
    """``POST /orders/{id}/assign/`` body: ``{writer: <user id>}``."""

    writer = serializers.IntegerField(min_value=1)


class NotesSerializer(serializers.Serializer):
    """``POST /orders/{id}/return/`` body: ``{notes}`` for the writer."""

    notes = serializers.CharField(max_length=MAX_NOTES)


class RevisionSerializer(serializers.Serializer):
    """``POST /orders/{id}/revision/`` body: ``{instructions}`` for the writer."""

    instructions = serializers.CharField(max_length=MAX_NOTES)


class CancelSerializer(serializers.Serializer):
    """``POST /orders/{id}/cancel/`` body: ``{reason?}``."""

    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class WriterRequestSerializer(serializers.Serializer):
    """A writer's request: ``{writer: {id, full_name}, created_at}``."""

    writer = OrderPersonSerializer()
    created_at = serializers.DateTimeField()


class OrderSettingsSerializer(serializers.ModelSerializer):
    """The order settings: ``{assignment_mode, earning_mode, free_revision_days}``."""

    class Meta:
        model = OrderSettings
        fields = ("assignment_mode", "earning_mode", "free_revision_days")
        read_only_fields = fields


class DecimalStringField(AsciiDecimalField):
    """An ``AsciiDecimalField`` that takes strings only (``"50.00"``), as the schema says: a JSON
    number fails DRF's ``invalid`` check (400 ``validation_error``)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class OrderSettingsUpdateSerializer(serializers.Serializer):
    """``PATCH /orders/settings/`` body: any of ``{assignment_mode, earning_mode,
    free_revision_days}``."""

    assignment_mode = serializers.ChoiceField(choices=AssignmentMode.choices, required=False)
    earning_mode = serializers.ChoiceField(choices=EarningMode.choices, required=False)
    free_revision_days = serializers.IntegerField(min_value=0, max_value=365, required=False)


class ApproveSerializer(serializers.Serializer):
    """``POST /orders/{id}/approve/`` body: ``{rating?: 1-5}``."""

    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)


class DisputeSerializer(serializers.Serializer):
    """``POST /orders/{id}/dispute/`` body: ``{reason}``."""

    reason = serializers.CharField(max_length=MAX_DISPUTE_TEXT)


class ResolveSerializer(serializers.Serializer):
    """``POST /orders/{id}/resolve/`` body: ``{outcome: completed|revision_requested|cancelled, note?}``."""

    outcome = serializers.ChoiceField(choices=[str(o) for o in OUTCOMES])
    note = serializers.CharField(max_length=MAX_DISPUTE_TEXT, required=False, allow_blank=True, default="")


class RefundCreateSerializer(serializers.Serializer):
    """``POST /orders/{id}/refunds/`` body: ``{amount: "10.00", reason}``."""

    amount = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=MAX_REFUND_REASON)


class OrderRefundSerializer(serializers.ModelSerializer):
    """A refund: ``{id, amount, currency, reason, created_at}``."""

    amount = _money()

    class Meta:
        model = OrderRefund
        fields = ("id", "amount", "currency", "reason", "created_at")
        read_only_fields = fields
