"""Writing discounts API shapes. Amounts are decimal strings with 2 places in the site's pricing
currency; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.discounts.models import Discount, DiscountKind, DiscountUse
from tenant_apps.writing.pricing.models import OrderOption

_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$"


class DiscountSerializer(serializers.ModelSerializer):
    """A discount (admins): ``{id, name, code|null, kind: "percent"|"fixed", value, starts_at,
    ends_at, max_uses, max_uses_per_client, uses_count, minimum_order, first_order_only,
    options: [option ids], stacks_with_loyalty, is_active, created_at}``. ``code`` ``null`` or
    absent: a campaign (applied by itself in its window). ``uses_count`` is read-only."""

    code = serializers.RegexField(_CODE, max_length=40, required=False, allow_null=True, allow_blank=True)
    kind = serializers.ChoiceField(choices=DiscountKind.choices)
    value = AsciiDecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("9999999999.99")
    )
    minimum_order = AsciiDecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("9999999999.99"), required=False
    )
    max_uses = serializers.IntegerField(min_value=1, max_value=10_000_000, required=False, allow_null=True)
    max_uses_per_client = serializers.IntegerField(min_value=1, max_value=10_000, required=False, allow_null=True)
    options = serializers.PrimaryKeyRelatedField(queryset=OrderOption.objects.all(), many=True, required=False)

    class Meta:
        model = Discount
        fields = (
            "id",
            "name",
            "code",
            "kind",
            "value",
            "starts_at",
            "ends_at",
            "max_uses",
            "max_uses_per_client",
            "uses_count",
            "minimum_order",
            "first_order_only",
            "options",
            "stacks_with_loyalty",
            "is_active",
            "created_at",
        )
        read_only_fields = ("id", "uses_count", "created_at")
        extra_kwargs = {"name": {"max_length": 120}}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        value = attrs.get("value", getattr(self.instance, "value", None))
        if kind == DiscountKind.PERCENT and value is not None and value > 100:
            raise serializers.ValidationError({"value": ["A percentage is at most 100."]})
        starts = attrs.get("starts_at", getattr(self.instance, "starts_at", None))
        ends = attrs.get("ends_at", getattr(self.instance, "ends_at", None))
        if starts and ends and ends <= starts:
            raise serializers.ValidationError({"ends_at": ["After starts_at."]})
        return attrs


class CampaignSerializer(serializers.ModelSerializer):
    """A running campaign, as anyone sees it: ``{id, name, kind, value, ends_at, minimum_order,
    first_order_only}`` (no limits, no uses)."""

    value = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    minimum_order = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Discount
        fields = ("id", "name", "kind", "value", "ends_at", "minimum_order", "first_order_only")
        read_only_fields = fields


class DiscountUseSerializer(serializers.ModelSerializer):
    """A use of a discount (admins): ``{id, client: {id, full_name}, order: {id, number}, amount,
    currency, released_at, created_at}``."""

    client = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()
    amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = DiscountUse
        fields = ("id", "client", "order", "amount", "currency", "released_at", "created_at")
        read_only_fields = fields

    def get_client(self, use: DiscountUse) -> dict[str, Any]:
        return {"id": use.client_id, "full_name": use.client.full_name}

    def get_order(self, use: DiscountUse) -> dict[str, Any]:
        return {"id": use.order_id, "number": use.order.number}
