"""Request and response shapes of the shop API: the store's settings and a seller's account."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.store.shop.models import PointsEntry, PointsEntryKind, StoreSettings

MAX_DAYS = 3650
MAX_INT = 2**31 - 1


class StoreSettingsSerializer(serializers.ModelSerializer):
    """The store's settings: commission (percent of each sale, ``"10.00"``), waits in days and
    seconds, points per completed order, ``ranks`` ``{name: minimum points}`` and the
    ``brand_rank`` that unlocks brands."""

    ranks = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = StoreSettings
        fields = (
            "commission_percent",
            "completion_wait_days",
            "return_window_days",
            "anti_sniping_seconds",
            "points_per_order",
            "ranks",
            "brand_rank",
            "updated_at",
        )
        read_only_fields = fields


class StoreSettingsUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/store/settings/`` (admin): any of the settings. ``ranks`` replaces
    the ranks: an object of names to non-negative whole numbers, distinct; ``brand_rank`` must
    be one of the ranks (400 ``validation_error`` otherwise)."""

    commission_percent = AsciiDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    completion_wait_days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, required=False)
    return_window_days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, required=False)
    anti_sniping_seconds = serializers.IntegerField(min_value=0, max_value=86_400, required=False)
    points_per_order = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    ranks = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_INT), allow_empty=False, required=False
    )
    brand_rank = serializers.CharField(max_length=32, required=False)


class PointsEntrySerializer(serializers.ModelSerializer):
    """One change of a seller's points: ``{id, kind, delta, points_after, reference, memo, created_at}``."""

    kind = NamedChoiceField(choices=PointsEntryKind.choices, read_only=True, component_name="PointsEntryKindEnum")

    class Meta:
        model = PointsEntry
        fields = ("id", "kind", "delta", "points_after", "reference", "memo", "created_at")
        read_only_fields = fields


class SellerAccountSerializer(serializers.Serializer):
    """``GET /api/v1/seller/account/``: ``selectors.SellerAccountSummary``."""

    points = serializers.IntegerField()
    rank = serializers.CharField(allow_null=True)
    next_rank = serializers.CharField(allow_null=True)
    next_rank_points = serializers.IntegerField(allow_null=True)
    brand_rank = serializers.CharField()
    brand_rank_points = serializers.IntegerField(allow_null=True)
    can_create_brands = serializers.BooleanField()
    entries = PointsEntrySerializer(many=True)
