"""Referrals API shapes. Amounts are decimal strings with 2 places (``"5.00"``) in ``currency``
(the wallet's, ``settings.DEFAULT_CURRENCY``); datetimes ISO 8601 in UTC."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.writing.messages.serializers import JsonBooleanField
from tenant_apps.writing.orders.serializers import DecimalStringField
from tenant_apps.writing.referrals.models import Referral, ReferralSettings, ReferralStatus, RewardKind
from tenant_apps.writing.referrals.services import MAX_REWARD_POINTS, first_name


class ReferralSettingsSerializer(serializers.ModelSerializer):
    """The referral settings: ``{enabled, reward_kind, reward_amount, currency, reward_points}``
    (``reward_amount`` in ``currency`` for ``wallet`` rewards, ``reward_points`` for ``points``)."""

    reward_kind = NamedChoiceField(
        component_name="WritingReferralRewardKindEnum", choices=RewardKind.choices, read_only=True
    )
    reward_amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.SerializerMethodField()

    class Meta:
        model = ReferralSettings
        fields = ("enabled", "reward_kind", "reward_amount", "currency", "reward_points")
        read_only_fields = fields

    def get_currency(self, row: ReferralSettings) -> str:
        return str(settings.DEFAULT_CURRENCY)


class ReferralSettingsUpdateSerializer(serializers.Serializer):
    """``PATCH /referrals/settings/`` body: any of ``{enabled, reward_kind, reward_amount,
    reward_points}``."""

    enabled = JsonBooleanField(required=False)
    reward_kind = serializers.ChoiceField(choices=RewardKind.choices, required=False)
    reward_amount = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)
    reward_points = serializers.IntegerField(min_value=1, max_value=MAX_REWARD_POINTS, required=False)


class ReferralClaimSerializer(serializers.Serializer):
    """``POST /referrals/claim/`` body: ``{code}`` (case and dashes ignored)."""

    code = serializers.CharField(max_length=32)


class _RewardFields(serializers.ModelSerializer):
    status = NamedChoiceField(
        component_name="WritingReferralStatusEnum", choices=ReferralStatus.choices, read_only=True
    )
    reward_amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True, allow_null=True)


class MyReferralSerializer(_RewardFields):
    """A referral one made: ``{id, referred, status, refused_reason, reward_kind, reward_amount,
    reward_currency, reward_points, created_at, rewarded_at}``; ``referred`` is the client's first
    name only."""

    referred = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields: tuple[str, ...] = (
            "id",
            "referred",
            "status",
            "refused_reason",
            "reward_kind",
            "reward_amount",
            "reward_currency",
            "reward_points",
            "created_at",
            "rewarded_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_referred(self, referral: Referral) -> str:
        return first_name(referral.referred)


class ReferredBySerializer(_RewardFields):
    """The referral that brought one: ``{id, code, status, refused_reason, reward_kind,
    reward_amount, reward_currency, reward_points, created_at, rewarded_at}``."""

    class Meta:
        model = Referral
        fields: tuple[str, ...] = (
            "id",
            "code",
            "status",
            "refused_reason",
            "reward_kind",
            "reward_amount",
            "reward_currency",
            "reward_points",
            "created_at",
            "rewarded_at",
        )
        read_only_fields: tuple[str, ...] = fields


class ReferralMeSerializer(serializers.Serializer):
    """``GET /referrals/me/``: ``{code, link, reward: {enabled, reward_kind, reward_amount,
    currency, reward_points}, referred_by: {...} | null, referrals: [...]}``."""

    code = serializers.CharField()
    link = serializers.CharField()
    reward = ReferralSettingsSerializer()
    referred_by = ReferredBySerializer(allow_null=True)
    referrals = MyReferralSerializer(many=True)


class _Person(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class ReferralSerializer(_RewardFields):
    """A referral (admins): ``{id, referrer: {id, full_name, email}, referred: {...}, code,
    status, refused_reason, order: <order number> | null, reward_kind, reward_amount,
    reward_currency, reward_points, created_at, rewarded_at}``."""

    referrer = serializers.SerializerMethodField()
    referred = serializers.SerializerMethodField()
    order = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = (
            "id",
            "referrer",
            "referred",
            "code",
            "status",
            "refused_reason",
            "order",
            "reward_kind",
            "reward_amount",
            "reward_currency",
            "reward_points",
            "created_at",
            "rewarded_at",
        )
        read_only_fields = fields

    @staticmethod
    def _person(user: Any) -> dict[str, Any]:
        return {"id": user.pk, "full_name": user.full_name, "email": user.email}

    @extend_schema_field(_Person())
    def get_referrer(self, referral: Referral) -> dict[str, Any]:
        return self._person(referral.referrer)

    @extend_schema_field(_Person())
    def get_referred(self, referral: Referral) -> dict[str, Any]:
        return self._person(referral.referred)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_order(self, referral: Referral) -> str | None:
        return referral.order.number if referral.order is not None else None
