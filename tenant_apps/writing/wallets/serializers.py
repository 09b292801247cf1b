"""Writing wallets API shapes. Amounts are decimal strings with 2 places (``"50.00"``) in
``currency``; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.wallets.models import PayoutRequest, WalletTopUp
from tenant_apps.writing.wallets.services.payouts import MAX_NOTE, MAX_REFERENCE


def _money() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class AmountSerializer(serializers.Serializer):
    """``POST /wallet/top-ups/`` and ``POST /payouts/`` body: ``{amount}`` (a decimal string or number, > 0)."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2)


class TopUpInvoiceSerializer(serializers.Serializer):
    """The invoice billing a top-up: ``{id, number, status}`` (its PDF: ``/api/v1/invoices/{id}/pdf/``)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class TopUpSerializer(serializers.ModelSerializer):
    """A card top-up: ``status`` ``pending`` (awaiting the card payment) or ``credited``."""

    amount = _money()
    invoice = TopUpInvoiceSerializer(read_only=True)

    class Meta:
        model = WalletTopUp
        fields = ("id", "amount", "currency", "status", "invoice", "created_at", "credited_at")
        read_only_fields = fields


class TopUpCheckoutSerializer(serializers.Serializer):
    """A started top-up: confirm ``client_secret`` with Stripe.js; the wallet is credited when
    Stripe reports the payment."""

    top_up = TopUpSerializer()
    payment = serializers.IntegerField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()


class PayoutPersonSerializer(serializers.Serializer):
    """A person on a payout request: ``{id, full_name}``."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PayoutSerializer(serializers.ModelSerializer):
    """A payout request. ``decided_by``: the admin who approved or rejected it; ``paid_by``: who
    marked it paid, with ``reference`` (the external payment's); ``note``: a rejection's reason."""

    amount = _money()
    writer = PayoutPersonSerializer(read_only=True)
    decided_by = PayoutPersonSerializer(read_only=True, allow_null=True)
    paid_by = PayoutPersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PayoutRequest
        fields = (
            "id",
            "writer",
            "amount",
            "currency",
            "status",
            "reference",
            "note",
            "decided_by",
            "decided_at",
            "paid_by",
            "paid_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class PayoutApproveSerializer(serializers.Serializer):
    """``POST /payouts/{id}/approve/`` body: ``{note?}``."""

    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class PayoutRejectSerializer(serializers.Serializer):
    """``POST /payouts/{id}/reject/`` body: ``{note}`` (why; required)."""

    note = serializers.CharField(max_length=MAX_NOTE)


class PayoutMarkPaidSerializer(serializers.Serializer):
    """``POST /payouts/{id}/mark-paid/`` body: ``{reference}`` (the external payment's, required)."""

    reference = serializers.CharField(max_length=MAX_REFERENCE)
