"""Orders API shapes. Amounts are decimal strings with 2 places (``"12.50"``) in ``currency``;
coordinates decimal degrees (WGS 84) with up to 6 places; datetimes ISO 8601 in UTC."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from typing import Any

import qrcode
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.store.catalog.models import Product, ProductStatus
from tenant_apps.store.orders.access import sees_whole_order
from tenant_apps.store.orders.models import CartItem, DeliveryProof, Order, OrderItem, WalletTopUp
from tenant_apps.store.orders.services import MAX_LINE_QUANTITY
from tenant_apps.store.shop.models import StoreProfile


class CoordinateField(AsciiDecimalField):
    """A coordinate as the schema documents it: a decimal **string** (``"52.520008"``) or ``null``;
    JSON numbers and empty strings are refused (400 ``validation_error``)."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is not serializers.empty and data is not None and (not isinstance(data, str) or not data.strip()):
            self.fail("invalid")
        return super().run_validation(data)


class ProfileSerializer(serializers.ModelSerializer):
    """A user's store profile: the delivery location; ``has_location`` when all three are set."""

    location_lat = CoordinateField(
        max_digits=9, decimal_places=6, min_value=Decimal("-90"), max_value=Decimal("90"), allow_null=True
    )
    location_lng = CoordinateField(
        max_digits=9, decimal_places=6, min_value=Decimal("-180"), max_value=Decimal("180"), allow_null=True
    )
    location_address = serializers.CharField(max_length=500, allow_blank=True)
    has_location = serializers.BooleanField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="null until first set.")

    class Meta:
        model = StoreProfile
        fields = ("location_lat", "location_lng", "location_address", "has_location", "updated_at")
        read_only_fields = ("has_location", "updated_at")


class CartProductSerializer(serializers.ModelSerializer):
    """What a cart line shows of its product."""

    class Meta:
        model = Product
        fields = ("id", "title", "slug", "price", "currency", "stock", "seller")
        read_only_fields = fields


class CartItemSerializer(serializers.ModelSerializer):
    """A cart line: ``unit_price`` is the product's effective price now, ``line_total`` its
    product with ``quantity`` (``context["prices"]``: ``{product id: price}``)."""

    product = CartProductSerializer(read_only=True)
    unit_price = serializers.SerializerMethodField()
    line_total = serializers.SerializerMethodField()

    class Meta:
        model = CartItem
        fields = ("id", "product", "quantity", "unit_price", "line_total", "added_at")
        read_only_fields = fields

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=2))
    def get_unit_price(self, item: CartItem) -> str:
        return str(self.context["prices"][item.product_id])

    @extend_schema_field(AsciiDecimalField(max_digits=14, decimal_places=2))
    def get_line_total(self, item: CartItem) -> str:
        return str(self.context["prices"][item.product_id] * item.quantity)


class CartSerializer(serializers.Serializer):
    """The cart: ``items``, ``total`` (sum of the lines at today's effective prices) and ``currency``
    (``null`` for an empty cart); prices may change until checkout."""

    items = CartItemSerializer(many=True)
    total = AsciiDecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(allow_null=True)


class CartItemAddSerializer(serializers.Serializer):
    """``product``: an approved, active product's id; ``quantity`` 1-999 (added to the line the
    product already has)."""

    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.filter(status=ProductStatus.APPROVED, is_active=True)
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, default=1)


class CartItemUpdateSerializer(serializers.Serializer):
    """``quantity`` 1-999: the line's new quantity."""

    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class OrderItemSerializer(serializers.ModelSerializer):
    """An order line at the price it was bought at; ``returned_quantity`` refunded by returns."""

    class Meta:
        model = OrderItem
        fields = ("id", "product", "seller", "title", "quantity", "unit_price", "line_total", "returned_quantity")
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order as the requester may see it.

    Its buyer, admin and the delivery user holding it see every item and the delivery location; a
    seller who is none of these sees only their own items, ``total`` is then the sum of those
    items, and the location is ``null``. ``has_proof``: shipped, the buyer can read the PIN.
    """

    items = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    has_proof = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = (
            "id",
            "number",
            "status",
            "source",
            "buyer",
            "delivery_user",
            "currency",
            "total",
            "items",
            "location",
            "has_proof",
            "created_at",
            "claimed_at",
            "shipped_at",
            "delivered_at",
            "completed_at",
            "cancelled_at",
        )
        read_only_fields = fields

    def _whole(self, order: Order) -> bool:
        return sees_whole_order(self.context["request"].user, order)

    def _items(self, order: Order) -> list[OrderItem]:
        items = list(order.items.all())
        if self._whole(order):
            return items
        user_id = self.context["request"].user.pk
        return [item for item in items if item.seller_id == user_id]

    @extend_schema_field(OrderItemSerializer(many=True))
    def get_items(self, order: Order) -> list[dict[str, Any]]:
        return list(OrderItemSerializer(self._items(order), many=True).data)

    @extend_schema_field(AsciiDecimalField(max_digits=14, decimal_places=2))
    def get_total(self, order: Order) -> str:
        if self._whole(order):
            return str(order.total)
        return str(sum((item.line_total for item in self._items(order)), Decimal("0.00")))

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "lat": {"type": "string", "format": "decimal"},
                "lng": {"type": "string", "format": "decimal"},
                "address": {"type": "string"},
            },
        }
    )
    def get_location(self, order: Order) -> dict[str, str] | None:
        if not self._whole(order):
            return None
        return {"lat": str(order.location_lat), "lng": str(order.location_lng), "address": order.location_address}

    @extend_schema_field(serializers.BooleanField())
    def get_has_proof(self, order: Order) -> bool:
        return hasattr(order, "proof")


class AvailableOrderSerializer(serializers.ModelSerializer):
    """An order waiting for a courier: no buyer location until claimed (``OrderSerializer`` then)."""

    items_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ("id", "number", "status", "currency", "total", "items_count", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_items_count(self, order: Order) -> int:
        return sum(item.quantity for item in order.items.all())


def qr_data_url(text: str) -> str:
    """``text`` as a QR code PNG in a ``data:image/png;base64,...`` URL (``qrcode``, box size 8)."""
    image = qrcode.make(text, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


class ProofSerializer(serializers.ModelSerializer):
    """The proof of delivery for the buyer: ``pin`` to give the courier, and ``qr_code`` (a PNG data
    URL encoding the PIN) to show instead; ``confirmed_at`` once the courier confirmed it."""

    qr_code = serializers.SerializerMethodField()
    attempts_left = serializers.SerializerMethodField()

    class Meta:
        model = DeliveryProof
        fields = ("pin", "qr_code", "attempts_left", "created_at", "confirmed_at")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_qr_code(self, proof: DeliveryProof) -> str:
        return qr_data_url(proof.pin)

    @extend_schema_field(serializers.IntegerField())
    def get_attempts_left(self, proof: DeliveryProof) -> int:
        from tenant_apps.store.orders.models import MAX_PROOF_ATTEMPTS

        return max(MAX_PROOF_ATTEMPTS - proof.failed_attempts, 0)


class ProofConfirmSerializer(serializers.Serializer):
    """``token``: the PIN the buyer gives (or the text of their QR code)."""

    token = serializers.CharField(max_length=64)


class CardTopUpSerializer(serializers.Serializer):
    """``amount`` > 0 in the site's currency."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class CardTopUpResultSerializer(serializers.Serializer):
    """A started card top-up: confirm ``client_secret`` with Stripe.js; the wallet is credited when
    Stripe reports the payment (``credited_at``)."""

    id = serializers.IntegerField()
    invoice = serializers.IntegerField()
    amount = AsciiDecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    credited_at = serializers.DateTimeField(allow_null=True)

    @staticmethod
    def of(top_up: WalletTopUp, *, payment_intent_id: str, client_secret: str) -> dict[str, Any]:
        """The response body of a started top-up."""
        return {
            "id": top_up.pk,
            "invoice": top_up.invoice_id,
            "amount": str(top_up.amount),
            "currency": top_up.currency,
            "payment_intent_id": payment_intent_id,
            "client_secret": client_secret,
            "credited_at": top_up.credited_at,
        }
