"""Returns API shapes. Amounts are decimal strings with 2 places (``"12.50"``) in the order's
currency; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.store.returns.access import sees_whole_return
from tenant_apps.store.returns.models import ItemCondition, ReturnItem, ReturnRequest

_MAX_ID = 2**63 - 1
_MAX_UNITS = 2**31 - 1


class ReturnLineInputSerializer(serializers.Serializer):
    """``quantity`` (>= 1) units of the order item ``order_item`` (an id of the order's items)."""

    order_item = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=_MAX_UNITS)


class ReturnInputSerializer(serializers.Serializer):
    """A new return: ``order`` (yours, delivered or completed, within the return window), its
    ``items`` (each order item at most once) and a ``reason``."""

    order = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    items = serializers.ListField(child=ReturnLineInputSerializer(), allow_empty=False, max_length=200)
    reason = serializers.CharField(max_length=2000)


class InspectedItemInputSerializer(serializers.Serializer):
    """The ``condition`` found for the return item ``id``."""

    id = serializers.IntegerField(min_value=1, max_value=_MAX_ID)
    condition = serializers.ChoiceField(choices=ItemCondition.choices)


class InspectionInputSerializer(serializers.Serializer):
    """The inspection: every item of the return with its ``condition``, and optional ``notes``."""

    items = serializers.ListField(child=InspectedItemInputSerializer(), allow_empty=False, max_length=200)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ApprovalInputSerializer(serializers.Serializer):
    """``penalty_points`` (optional, default 0): taken from each seller of a returned item."""

    penalty_points = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)


class RejectionInputSerializer(serializers.Serializer):
    """``reason``: why the return is rejected (shown to the buyer)."""

    reason = serializers.CharField(max_length=2000)


class ReturnItemSerializer(serializers.ModelSerializer):
    """A returned line: ``quantity`` units of ``order_item`` (``title``, ``unit_price``, ``seller``)
    and the ``condition`` found at inspection (empty before)."""

    order_item = serializers.IntegerField(source="order_item_id", read_only=True)
    product = serializers.IntegerField(source="order_item.product_id", read_only=True, allow_null=True)
    seller = serializers.IntegerField(source="order_item.seller_id", read_only=True)
    title = serializers.CharField(source="order_item.title", read_only=True)
    unit_price = AsciiDecimalField(source="order_item.unit_price", max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = ReturnItem
        fields = ("id", "order_item", "product", "seller", "title", "unit_price", "quantity", "condition")
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    """A return as the requester may see it.

    Its buyer, admin and the delivery user holding the order see every item; a seller who is none
    of these sees only their own items, and ``refund_amount`` (set on approval) is then the value
    of those items.
    """

    items = serializers.SerializerMethodField()
    refund_amount = serializers.SerializerMethodField()
    currency = serializers.CharField(source="order.currency", read_only=True)

    class Meta:
        model = ReturnRequest
        fields = (
            "id",
            "order",
            "buyer",
            "status",
            "reason",
            "items",
            "currency",
            "refund_amount",
            "penalty_points",
            "inspection_notes",
            "decision_reason",
            "created_at",
            "received_at",
            "inspected_at",
            "decided_at",
        )
        read_only_fields = fields

    def _items(self, return_request: ReturnRequest) -> list[ReturnItem]:
        items = list(return_request.items.all())
        user = self.context["request"].user
        if sees_whole_return(user, return_request):
            return items
        return [item for item in items if item.order_item.seller_id == user.pk]

    @extend_schema_field(ReturnItemSerializer(many=True))
    def get_items(self, return_request: ReturnRequest) -> list[dict[str, Any]]:
        return list(ReturnItemSerializer(self._items(return_request), many=True).data)

    @extend_schema_field(AsciiDecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_refund_amount(self, return_request: ReturnRequest) -> str | None:
        if return_request.refund_amount is None:
            return None
        if sees_whole_return(self.context["request"].user, return_request):
            return str(return_request.refund_amount)
        own = self._items(return_request)
        return str(sum((item.order_item.unit_price * item.quantity for item in own), Decimal("0.00")))
