"""Writing loyalty API shapes. Points are whole numbers; amounts decimal strings with 2 places in
the site's pricing currency; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.loyalty.models import LoyaltyAccount, LoyaltySettings, LoyaltyTier, PointsEntry
from tenant_apps.writing.loyalty.services import MAX_POINTS, MAX_REASON

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class LoyaltySettingsSerializer(serializers.ModelSerializer):
    """The programme: ``{points_per_unit, point_value, expiry_days, minimum_redeem, is_active,
    currency}``: points earned per 1.00 paid, what a point is worth (``currency``), days before
    earned points expire (0: never), the fewest points one redemption uses."""

    points_per_unit = AsciiDecimalField(max_digits=8, decimal_places=2, read_only=True)
    point_value = AsciiDecimalField(max_digits=8, decimal_places=4, read_only=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = LoyaltySettings
        fields = ("points_per_unit", "point_value", "expiry_days", "minimum_redeem", "is_active", "currency")
        read_only_fields = fields

    def get_currency(self, row: LoyaltySettings) -> str:
        from tenant_apps.writing.pricing.services import pricing_currency

        return pricing_currency()


class LoyaltySettingsUpdateSerializer(serializers.Serializer):
    """``PATCH /loyalty/settings/`` body (admins): any of the settings."""

    points_per_unit = AsciiDecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("1000"), required=False
    )
    point_value = AsciiDecimalField(
        max_digits=8, decimal_places=4, min_value=Decimal("0.0001"), max_value=Decimal("1000"), required=False
    )
    expiry_days = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    minimum_redeem = serializers.IntegerField(min_value=1, max_value=MAX_POINTS, required=False)
    is_active = serializers.BooleanField(required=False)


class TierSerializer(serializers.ModelSerializer):
    """A tier: ``{id, name, slug, minimum_spend, bonus_percent}``; writable by admins."""

    slug = serializers.RegexField(_SLUG, max_length=80)
    minimum_spend = AsciiDecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("9999999999.99")
    )
    bonus_percent = AsciiDecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("1000"), required=False
    )

    class Meta:
        model = LoyaltyTier
        fields = ("id", "name", "slug", "minimum_spend", "bonus_percent")
        read_only_fields = ("id",)
        extra_kwargs = {"name": {"max_length": 80}}


class TierRefSerializer(serializers.Serializer):
    """A tier named on an account: ``{slug, name, minimum_spend, bonus_percent}``."""

    slug = serializers.CharField()
    name = serializers.CharField()
    minimum_spend = AsciiDecimalField(max_digits=12, decimal_places=2)
    bonus_percent = AsciiDecimalField(max_digits=6, decimal_places=2)


class AccountSerializer(serializers.ModelSerializer):
    """An account: ``{id, user: {id, full_name}, balance, value, lifetime_spend, lifetime_points,
    tier, next_tier}`` (``id`` ``null``: a client who never had points): ``value`` what the
    balance is worth redeemed; ``tier`` the one the lifetime spend reaches (``null``: none),
    ``next_tier`` the one above (``null``: the top)."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    user = serializers.SerializerMethodField()
    value = serializers.SerializerMethodField(method_name="get_balance_value")
    lifetime_spend = AsciiDecimalField(max_digits=14, decimal_places=2, read_only=True)
    tier = serializers.SerializerMethodField()
    next_tier = serializers.SerializerMethodField()

    class Meta:
        model = LoyaltyAccount
        fields = ("id", "user", "balance", "value", "lifetime_spend", "lifetime_points", "tier", "next_tier")
        read_only_fields = fields

    def _tiers(self) -> list[LoyaltyTier]:
        """The tiers, read once per response (the list serializer's child is one instance)."""
        tiers: list[LoyaltyTier] | None = getattr(self, "_tier_cache", None)
        if tiers is None:
            tiers = list(LoyaltyTier.objects.order_by("minimum_spend", "id"))
            self._tier_cache = tiers
        return tiers

    @extend_schema_field(serializers.DictField())
    def get_user(self, account: LoyaltyAccount) -> dict[str, Any]:
        return {"id": account.user_id, "full_name": account.user.full_name}

    @extend_schema_field(serializers.CharField())
    def get_balance_value(self, account: LoyaltyAccount) -> str:
        from saas.money import round_money
        from tenant_apps.writing.loyalty.services import loyalty_settings
        from tenant_apps.writing.pricing.services import pricing_currency

        worth: tuple[Decimal, str] | None = getattr(self, "_worth_cache", None)
        if worth is None:  # once per response, however many accounts
            worth = (loyalty_settings().point_value, pricing_currency())
            self._worth_cache = worth
        return str(round_money(Decimal(account.balance) * worth[0], worth[1]))

    @extend_schema_field(TierRefSerializer(allow_null=True))
    def get_tier(self, account: LoyaltyAccount) -> dict[str, Any] | None:
        reached = [t for t in self._tiers() if t.minimum_spend <= account.lifetime_spend]
        return TierRefSerializer(reached[-1]).data if reached else None

    @extend_schema_field(TierRefSerializer(allow_null=True))
    def get_next_tier(self, account: LoyaltyAccount) -> dict[str, Any] | None:
        above = [t for t in self._tiers() if t.minimum_spend > account.lifetime_spend]
        return TierRefSerializer(above[0]).data if above else None


class EntrySerializer(serializers.ModelSerializer):
    """A ledger entry: ``{id, kind, points, balance_after, remaining, expires_at, shortfall,
    reference, reason, order: {id, number}|null, created_at}``."""

    order = serializers.SerializerMethodField()

    class Meta:
        model = PointsEntry
        fields = (
            "id",
            "kind",
            "points",
            "balance_after",
            "remaining",
            "expires_at",
            "shortfall",
            "reference",
            "reason",
            "order",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_order(self, entry: PointsEntry) -> dict[str, Any] | None:
        if entry.order is None:
            return None
        return {"id": entry.order_id, "number": entry.order.number}


class RedeemSerializer(serializers.Serializer):
    """``POST /loyalty/me/redeem/`` body: ``{points}`` to turn into wallet credit."""

    points = serializers.IntegerField(min_value=1, max_value=MAX_POINTS)


class RedemptionSerializer(serializers.Serializer):
    """A redemption for wallet credit: ``{entry, amount, currency, balance}``: the ledger entry,
    what reached the wallet, and the points left."""

    entry = EntrySerializer()
    amount = serializers.CharField()
    currency = serializers.CharField()
    balance = serializers.IntegerField()


class AdjustSerializer(serializers.Serializer):
    """``POST /loyalty/adjustments/`` body (admins): ``{user, points, reason}``: ``points``
    positive or negative (not zero)."""

    user = serializers.IntegerField(min_value=1)
    points = serializers.IntegerField(min_value=-MAX_POINTS, max_value=MAX_POINTS)
    reason = serializers.CharField(max_length=MAX_REASON)
