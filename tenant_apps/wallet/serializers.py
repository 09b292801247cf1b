"""Wallet API shapes. Amounts are decimal strings with 2 places (``"12.50"``) in ``currency``."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.wallet.models import LedgerEntry, Wallet


class WalletSerializer(serializers.ModelSerializer):
    """A wallet; one not opened yet (no money has moved) reads as empty with ``updated_at: null``."""

    user = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When its amounts last changed; null before any movement."
    )

    class Meta:
        model = Wallet
        fields = ("user", "currency", "balance", "held_balance", "updated_at")
        read_only_fields = fields

    def get_user(self, wallet: Wallet) -> dict[str, Any]:
        return {"id": wallet.user_id, "email": wallet.user.email}


class LedgerEntrySerializer(serializers.ModelSerializer):
    """A ledger entry of ``/api/v1/wallet/ledger/`` and ``/api/v1/wallets/{user_id}/ledger/``: the deltas and
    the amounts after them, ``kind``, the other wallet's ``counterparty_user_id`` (or ``null``), ``reference``."""

    currency = serializers.CharField(source="wallet.currency", read_only=True)
    counterparty_user_id = serializers.SerializerMethodField()

    class Meta:
        model = LedgerEntry
        fields = (
            "id",
            "created_at",
            "kind",
            "balance_delta",
            "held_delta",
            "balance_after",
            "held_after",
            "currency",
            "counterparty_user_id",
            "operation",
            "reference",
            "memo",
        )
        read_only_fields = fields

    def get_counterparty_user_id(self, entry: LedgerEntry) -> int | None:
        return entry.counterparty.user_id if entry.counterparty is not None else None


class TopUpSerializer(serializers.Serializer):
    """``amount`` > 0; ``reference`` makes a retried request a no-op."""

    amount = AsciiDecimalField(max_digits=14, decimal_places=2)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    memo = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AdjustSerializer(serializers.Serializer):
    """``amount`` positive or negative (not zero), ``reason`` required."""

    amount = AsciiDecimalField(max_digits=14, decimal_places=2)
    reason = serializers.CharField(max_length=255)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
