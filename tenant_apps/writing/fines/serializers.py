"""Writing fines API shapes. Amounts are decimal strings with 2 places (``"12.00"``) in
``currency``; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.fines.models import Fine, FineAppeal, FineSettings
from tenant_apps.writing.fines.services import MAX_TEXT


def _money() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class FinePersonSerializer(serializers.Serializer):
    """A person on a fine: ``{id, full_name}``."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class FineOrderSerializer(serializers.Serializer):
    """The order a fine is about: ``{id, number}``."""

    id = serializers.IntegerField()
    number = serializers.CharField()


class FineAppealSerializer(serializers.ModelSerializer):
    """A fine's appeal: the writer's ``explanation``, its ``status``, and the admin's decision
    (``note``, ``decided_by``, ``decided_at``)."""

    decided_by = FinePersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FineAppeal
        fields = ("explanation", "status", "note", "decided_by", "decided_at", "created_at")
        read_only_fields = fields


class FineSerializer(serializers.ModelSerializer):
    """A fine: ``amount`` of which ``deducted`` was taken from the writer's wallet and
    ``outstanding`` is still to be; ``status`` ``outstanding``, ``settled`` or ``reversed``;
    ``kind`` ``late_delivery`` (with ``hours_late``), ``missed_revision`` or ``manual``;
    ``issued_by`` ``null`` for the rules; ``appeal`` ``null`` until the writer appeals."""

    writer = FinePersonSerializer(read_only=True)
    order = FineOrderSerializer(read_only=True, allow_null=True)
    issued_by = FinePersonSerializer(read_only=True, allow_null=True)
    amount = _money()
    deducted = _money()
    outstanding = _money()
    appeal = serializers.SerializerMethodField()

    class Meta:
        model = Fine
        fields = (
            "id",
            "writer",
            "order",
            "kind",
            "reason",
            "amount",
            "currency",
            "deducted",
            "outstanding",
            "status",
            "hours_late",
            "issued_by",
            "appeal",
            "created_at",
            "reversed_at",
        )
        read_only_fields = fields

    @extend_schema_field(FineAppealSerializer(allow_null=True))
    def get_appeal(self, fine: Fine) -> dict[str, Any] | None:
        """The appeal, or ``None`` when there is none."""
        appeal = getattr(fine, "appeal", None)
        return FineAppealSerializer(appeal).data if appeal is not None else None


class FineIssueSerializer(serializers.Serializer):
    """``POST /fines/`` body: ``{writer, amount, reason, order?}`` (ids of the writer and of one of
    their orders)."""

    writer = serializers.IntegerField(min_value=1)
    amount = AsciiDecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField(max_length=MAX_TEXT)
    order = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class FineAppealBodySerializer(serializers.Serializer):
    """``POST /fines/{id}/appeal/`` body: ``{explanation}``."""

    explanation = serializers.CharField(max_length=MAX_TEXT)


class FineAcceptSerializer(serializers.Serializer):
    """``POST /fines/{id}/accept/`` body: ``{note?}``."""

    note = serializers.CharField(max_length=MAX_TEXT, required=False, allow_blank=True, default="")


class FineRejectSerializer(serializers.Serializer):
    """``POST /fines/{id}/reject/`` body: ``{note}`` (why; required)."""

    note = serializers.CharField(max_length=MAX_TEXT)


class FineSettingsSerializer(serializers.ModelSerializer):
    """The fine rules (see ``models.FineSettings``): percentages of the order's total (0-100),
    ``grace_minutes``, ``revision_hours`` (at least 1), ``enabled``."""

    late_percent_per_hour = AsciiDecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    late_cap_percent = AsciiDecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    revision_percent = AsciiDecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=100)
    grace_minutes = serializers.IntegerField(min_value=0, max_value=10080)
    revision_hours = serializers.IntegerField(min_value=1, max_value=8760)

    class Meta:
        model = FineSettings
        fields = (
            "enabled",
            "late_percent_per_hour",
            "late_cap_percent",
            "grace_minutes",
            "revision_percent",
            "revision_hours",
            "updated_at",
        )
        read_only_fields = ("updated_at",)
