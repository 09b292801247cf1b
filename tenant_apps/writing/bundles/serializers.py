"""Writing bundles API shapes. Amounts are decimal strings with 2 places (``"90.00"``) in
``currency``; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.bundles.models import (
    MAX_HOURS,
    MAX_QUANTITY,
    MAX_VALIDITY_DAYS,
    Bundle,
    BundlePurchase,
    BundleUnit,
    ExpressClass,
)
from tenant_apps.writing.bundles.services.catalog import MAX_DESCRIPTION, MAX_NAME
from tenant_apps.writing.bundles.services.purchases import PaymentMethod
from tenant_apps.writing.orders.serializers import MAX_SOURCES
from tenant_apps.writing.orders.services.placement import MAX_INSTRUCTIONS, MAX_TOPIC
from tenant_apps.writing.pricing.serializers import QuoteRequestSerializer

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def _money() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class BundleSerializer(serializers.ModelSerializer):
    """A bundle: ``quantity`` ``unit`` (``pages`` or ``assignments``) for ``price`` (``currency``),
    valid ``validity_days`` days from its payment; ``is_active`` false: no longer sold."""

    price = _money()

    class Meta:
        model = Bundle
        fields = ("id", "name", "unit", "quantity", "price", "currency", "validity_days", "is_active", "created_at")
        read_only_fields = fields


class BundleCreateSerializer(serializers.Serializer):
    """``POST /bundles/`` body: ``{name, unit, quantity, price, validity_days, is_active?}``."""

    name = serializers.CharField(max_length=MAX_NAME)
    unit = serializers.ChoiceField(choices=BundleUnit.choices)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)
    price = AsciiDecimalField(max_digits=12, decimal_places=2)
    validity_days = serializers.IntegerField(min_value=1, max_value=MAX_VALIDITY_DAYS)
    is_active = serializers.BooleanField(required=False, default=True)


class BundleUpdateSerializer(BundleCreateSerializer):
    """``PATCH /bundles/{id}/`` body: any of the create fields."""

    is_active = serializers.BooleanField(required=False)


class BuySerializer(serializers.Serializer):
    """``POST /bundles/{id}/buy/`` body: ``{method: "wallet" | "card"}``."""

    method = serializers.ChoiceField(choices=PaymentMethod.choices)


class PurchaseInvoiceSerializer(serializers.Serializer):
    """The invoice billing a purchase: ``{id, number, status}`` (its PDF: ``/api/v1/invoices/{id}/pdf/``)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class PurchaseClientSerializer(serializers.Serializer):
    """A purchase's client: ``{id, full_name}``."""

    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PurchaseSerializer(serializers.ModelSerializer):
    """A bundle purchase: the bundle's terms when bought, ``remaining`` units, ``status``
    (``pending``, ``active``, ``used_up``, ``expired``), ``expires_at`` (once paid)."""

    price = _money()
    bundle = serializers.IntegerField(source="bundle_id", read_only=True)
    bundle_name = serializers.CharField(source="bundle.name", read_only=True)
    client = PurchaseClientSerializer(read_only=True)
    invoice = PurchaseInvoiceSerializer(read_only=True)

    class Meta:
        model = BundlePurchase
        fields = (
            "id",
            "bundle",
            "bundle_name",
            "client",
            "unit",
            "quantity",
            "remaining",
            "price",
            "currency",
            "validity_days",
            "status",
            "invoice",
            "activated_at",
            "expires_at",
            "created_at",
        )
        read_only_fields = fields


class PurchaseCheckoutSerializer(serializers.Serializer):
    """A bundle bought: the purchase (``active`` when paid from the wallet); for a card, confirm
    ``client_secret`` with Stripe.js (``null`` fields for the wallet)."""

    purchase = PurchaseSerializer()
    payment = serializers.IntegerField(allow_null=True)
    payment_intent_id = serializers.CharField(allow_null=True)
    client_secret = serializers.CharField(allow_null=True)


class PayBundleSerializer(serializers.Serializer):
    """``POST /orders/{id}/pay/bundle/`` body: ``{purchase: <your bundle purchase's id>}``."""

    purchase = serializers.IntegerField(min_value=1)


class ExpressClassSerializer(serializers.ModelSerializer):
    """An express class: ``price`` (``currency``) per ``unit`` (a page or an assignment), deadlines
    from ``min_hours`` to ``max_hours`` from now, ``academic_levels`` (slugs; empty: every level)."""

    price = _money()
    academic_levels = serializers.SerializerMethodField()

    class Meta:
        model = ExpressClass
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "unit",
            "price",
            "currency",
            "min_hours",
            "max_hours",
            "academic_levels",
            "is_active",
            "created_at",
        )
        read_only_fields = fields

    def get_academic_levels(self, obj: ExpressClass) -> list[str]:
        """The slugs of the levels the class takes (prefetched)."""
        return sorted(option.slug for option in obj.academic_levels.all())


class ExpressClassCreateSerializer(serializers.Serializer):
    """``POST /express-classes/`` body: ``{name, unit, price, min_hours, max_hours, slug?,
    description?, academic_levels?: [slugs], is_active?}``."""

    name = serializers.CharField(max_length=MAX_NAME)
    slug = serializers.RegexField(_SLUG, max_length=100, required=False)
    description = serializers.CharField(max_length=MAX_DESCRIPTION, required=False, allow_blank=True)
    unit = serializers.ChoiceField(choices=BundleUnit.choices)
    price = AsciiDecimalField(max_digits=12, decimal_places=2)
    min_hours = serializers.IntegerField(min_value=1, max_value=MAX_HOURS)
    max_hours = serializers.IntegerField(min_value=1, max_value=MAX_HOURS)
    academic_levels = serializers.ListField(
        child=serializers.RegexField(_SLUG, max_length=120), max_length=100, required=False
    )
    is_active = serializers.BooleanField(required=False)


class ExpressQuoteRequestSerializer(QuoteRequestSerializer):
    """``POST /express-classes/{slug}/quote/`` body: ``POST /quote/``'s without ``discount_code``
    and ``redeem_points`` (an express class is priced by its own rule only; they are ignored):
    ``{academic_level, deadline, pages, spacing, extras?, paper_type?, subject?,
    formatting_style?, language?}`` (``extras`` are refused by ``express_quote``)."""

    discount_code = None  # type: ignore[assignment]
    redeem_points = None  # type: ignore[assignment]


class ExpressOrderSerializer(ExpressQuoteRequestSerializer):
    """``POST /express-classes/{slug}/orders/`` body: ``POST /orders/``'s without ``extras``,
    ``discount_code`` and ``redeem_points``: ``{topic, academic_level, deadline, pages, spacing,
    paper_type?, subject?, formatting_style?, language?, sources?, instructions?}``."""

    extras = None  # type: ignore[assignment]
    topic = serializers.CharField(max_length=MAX_TOPIC)
    sources = serializers.IntegerField(min_value=0, max_value=MAX_SOURCES, required=False, default=0)
    instructions = serializers.CharField(max_length=MAX_INSTRUCTIONS, required=False, allow_blank=True, default="")
