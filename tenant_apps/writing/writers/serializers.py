"""Writer levels and writer profiles API shapes. Amounts are decimal strings with 2 places
(``"5.00"``) in the site's pricing currency; percentages decimal strings 0-100 (``"50.00"``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.orders.serializers import DecimalStringField
from tenant_apps.writing.writers.models import WriterLevel
from tenant_apps.writing.writers.services import MAX_POSITION, NAME_MAX_LENGTH


class WriterLevelSerializer(serializers.ModelSerializer):
    """A level: ``{id, slug, name, position, share_percent, per_page_amount, is_default, writers}``
    (``writers``: how many writers have it; the default level also stands for writers without a
    profile)."""

    share_percent = AsciiDecimalField(max_digits=5, decimal_places=2, read_only=True)
    per_page_amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    writers = serializers.SerializerMethodField()

    class Meta:
        model = WriterLevel
        fields = ("id", "slug", "name", "position", "share_percent", "per_page_amount", "is_default", "writers")
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField())
    def get_writers(self, level: WriterLevel) -> int:
        counted = getattr(level, "writers", None)
        return int(counted) if counted is not None else level.profiles.count()


class WriterLevelRefSerializer(serializers.ModelSerializer):
    """A writer's level: ``{id, slug, name, share_percent, per_page_amount}``."""

    share_percent = AsciiDecimalField(max_digits=5, decimal_places=2, read_only=True)
    per_page_amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = WriterLevel
        fields = ("id", "slug", "name", "share_percent", "per_page_amount")
        read_only_fields = fields


class WriterLevelCreateSerializer(serializers.Serializer):
    """``POST /writer-levels/`` body: ``{name, slug?, position?, share_percent, per_page_amount,
    is_default?}``."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    slug = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=MAX_POSITION, required=False)
    share_percent = DecimalStringField(max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"))
    per_page_amount = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0"))
    is_default = serializers.BooleanField(required=False)


class WriterLevelUpdateSerializer(WriterLevelCreateSerializer):
    """``PATCH /writer-levels/{id}/`` body: any of the create fields."""

    name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False)
    share_percent = DecimalStringField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    per_page_amount = DecimalStringField(max_digits=12, decimal_places=2, min_value=Decimal("0"), required=False)


class WriterSerializer(serializers.Serializer):
    """A writer's profile: ``{id, full_name, is_active, level: {id, slug, name, share_percent,
    per_page_amount}, completed_orders, rated_orders, average_rating}``; ``level`` is the default
    level for a writer without a profile yet; ``rated_orders`` how many published reviews are
    about them and ``average_rating`` a decimal string with 2 places (``"4.50"``) over those
    (the reviews app, moderated), ``null`` before the first."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()
    is_active = serializers.BooleanField()
    level = serializers.SerializerMethodField()
    completed_orders = serializers.IntegerField()
    rated_orders = serializers.IntegerField()
    average_rating = serializers.SerializerMethodField()

    @extend_schema_field(WriterLevelRefSerializer(allow_null=True))
    def get_level(self, writer: Any) -> dict[str, Any] | None:
        profile = getattr(writer, "writer_profile", None)
        level = profile.level if profile is not None else self.context.get("default_level")
        return WriterLevelRefSerializer(level).data if level is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_average_rating(self, writer: Any) -> str | None:
        value = getattr(writer, "average_rating", None)
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class WriterLevelSetSerializer(serializers.Serializer):
    """``PATCH /writers/{id}/`` body: ``{level: <level id>}``."""

    level = serializers.IntegerField(min_value=1)
