"""Request and response shapes of the writing pricing API. Amounts are strings with 2 decimals
(``"12.00"``) in the site's pricing currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from tenant_apps.writing.pricing.models import (
    ExtraPricing,
    ExtraService,
    OptionGroup,
    OrderOption,
    PageRate,
    PricingSettings,
)
from tenant_apps.writing.pricing.pricing import MAX_EXTRAS, Spacing

_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time with its offset (``2030-01-31T17:00:00Z``); one without (naive)
    fails with 400 ``validation_error`` instead of being read in the server's time zone."""

    default_error_messages = {"naive_input": "A date and time with a time zone, e.g. 2030-01-31T17:00:00Z."}

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601")
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive_input")
        return super().to_internal_value(value)


class OrderOptionSerializer(serializers.ModelSerializer):
    """An option: ``{id, group, name, slug, position, is_active}``."""

    class Meta:
        model = OrderOption
        fields = ("id", "group", "name", "slug", "position", "is_active")
        read_only_fields = fields


class OrderOptionCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/order-options/`` (admin): ``{group, name, slug?, position?}``."""

    group = serializers.ChoiceField(choices=OptionGroup.choices)
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=120, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=10000, required=False)


class OrderOptionUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/order-options/{id}/`` (admin): any of ``{name, slug, position,
    is_active}`` (the group never changes)."""

    name = serializers.CharField(max_length=120, required=False)
    slug = serializers.CharField(max_length=120, required=False)
    position = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    is_active = serializers.BooleanField(required=False)


class PricingSettingsSerializer(serializers.ModelSerializer):
    """The pricing settings: ``{currency, single_spacing_factor: "2.00", minimum_pages,
    maximum_pages, updated_at}``."""

    single_spacing_factor = AsciiDecimalField(max_digits=4, decimal_places=2, read_only=True)

    class Meta:
        model = PricingSettings
        fields = ("currency", "single_spacing_factor", "minimum_pages", "maximum_pages", "updated_at")
        read_only_fields = fields


class PricingSettingsUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/pricing/settings/`` (admin): any of ``currency`` (ISO 4217),
    ``single_spacing_factor`` (1-10), ``minimum_pages``, ``maximum_pages`` (1-1000)."""

    currency = serializers.CharField(min_length=3, max_length=3, required=False)
    single_spacing_factor = AsciiDecimalField(
        max_digits=4, decimal_places=2, min_value=Decimal("1"), max_value=Decimal("10"), required=False
    )
    minimum_pages = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    maximum_pages = serializers.IntegerField(min_value=1, max_value=1000, required=False)


class PageRateSerializer(serializers.ModelSerializer):
    """A page rate: ``{id, academic_level: {id, slug, name, is_active}, deadline_hours_max,
    price_per_page: "12.00"}``."""

    academic_level = OrderOptionSerializer(read_only=True)
    price_per_page = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = PageRate
        fields = ("id", "academic_level", "deadline_hours_max", "price_per_page")
        read_only_fields = fields


class PageRateCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/pricing/page-rates/`` (admin): ``{academic_level: <option id>,
    deadline_hours_max, price_per_page}``."""

    academic_level = serializers.PrimaryKeyRelatedField(
        queryset=OrderOption.objects.filter(group=OptionGroup.ACADEMIC_LEVEL)
    )
    deadline_hours_max = serializers.IntegerField(min_value=1, max_value=24 * 366)
    price_per_page = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class PageRateUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/pricing/page-rates/{id}/`` (admin): ``{deadline_hours_max?,
    price_per_page?}``."""

    deadline_hours_max = serializers.IntegerField(min_value=1, max_value=24 * 366, required=False)
    price_per_page = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)


class ExtraServiceSerializer(serializers.ModelSerializer):
    """An extra service: ``{id, name, slug, description, pricing: "fixed"|"percent", amount:
    "9.99" (currency, or percent), position, is_active}``."""

    amount = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = ExtraService
        fields = ("id", "name", "slug", "description", "pricing", "amount", "position", "is_active")
        read_only_fields = fields


class ExtraServiceCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/extra-services/`` (admin): ``{name, pricing, amount, slug?,
    description?, position?}``."""

    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=120, required=False, allow_blank=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    pricing = serializers.ChoiceField(choices=ExtraPricing.choices)
    amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    position = serializers.IntegerField(min_value=0, max_value=10000, required=False)


class ExtraServiceUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/extra-services/{id}/`` (admin): any field of the create input and
    ``is_active`` (``false`` retires it)."""

    name = serializers.CharField(max_length=120, required=False)
    slug = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    pricing = serializers.ChoiceField(choices=ExtraPricing.choices, required=False)
    amount = AsciiDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False)
    position = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    is_active = serializers.BooleanField(required=False)


class QuoteRequestSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/quote/`` (anyone): ``{academic_level, deadline, pages, spacing,
    extras?: [slugs], paper_type?, subject?, formatting_style?, language?, discount_code?,
    redeem_points?}``: option slugs, an ISO 8601 deadline with a time zone, a discount code
    (case-insensitive) and loyalty points to redeem (signed-in clients)."""

    academic_level = serializers.RegexField(_SLUG, max_length=120)
    deadline = AwareDateTimeField()
    pages = serializers.IntegerField(min_value=1, max_value=1000)
    spacing = serializers.ChoiceField(choices=Spacing.choices)
    extras = serializers.ListField(
        child=serializers.RegexField(_SLUG, max_length=120), max_length=MAX_EXTRAS, required=False
    )
    paper_type = serializers.RegexField(_SLUG, max_length=120, required=False)
    subject = serializers.RegexField(_SLUG, max_length=120, required=False)
    formatting_style = serializers.RegexField(_SLUG, max_length=120, required=False)
    language = serializers.RegexField(_SLUG, max_length=120, required=False)
    discount_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    redeem_points = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, default=0)


class QuoteLineSerializer(serializers.Serializer):
    """A quote line: ``{kind: "pages"|"extra"|"discount"|"loyalty", slug, description, amount}``
    (``amount`` negative for ``discount`` and ``loyalty``)."""

    kind = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    amount = AsciiDecimalField(max_digits=12, decimal_places=2)


class QuoteSerializer(serializers.Serializer):
    """A quote (``pricing.Quote``): ``{lines, academic_level, extras, price_per_page, pages,
    spacing, spacing_factor, deadline, deadline_band_hours, subtotal, extras_total,
    discount_code, discount_total, points_redeemed, loyalty_total, total, currency}``."""

    lines = QuoteLineSerializer(many=True)
    academic_level = serializers.CharField()
    extras = serializers.ListField(child=serializers.CharField())
    price_per_page = AsciiDecimalField(max_digits=12, decimal_places=2)
    pages = serializers.IntegerField()
    spacing = serializers.CharField()
    spacing_factor = AsciiDecimalField(max_digits=4, decimal_places=2)
    deadline = serializers.DateTimeField()
    deadline_band_hours = serializers.IntegerField()
    subtotal = AsciiDecimalField(max_digits=12, decimal_places=2)
    extras_total = AsciiDecimalField(max_digits=12, decimal_places=2)
    discount_code = serializers.CharField()
    discount_total = AsciiDecimalField(max_digits=12, decimal_places=2)
    points_redeemed = serializers.IntegerField()
    loyalty_total = AsciiDecimalField(max_digits=12, decimal_places=2)
    total = AsciiDecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class DropdownOptionSerializer(serializers.Serializer):
    """One choice of a dropdown: ``{id, slug, name}``."""

    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class DropdownOptionsSerializer(serializers.Serializer):
    """Every dropdown of the order form: ``{paper_type, subject, academic_level, formatting_style,
    language}``, each a list of active choices in the order offered."""

    paper_type = DropdownOptionSerializer(many=True)
    subject = DropdownOptionSerializer(many=True)
    academic_level = DropdownOptionSerializer(many=True)
    formatting_style = DropdownOptionSerializer(many=True)
    language = DropdownOptionSerializer(many=True)
