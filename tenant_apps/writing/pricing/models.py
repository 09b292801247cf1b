"""Order options and the pricing table of a writing site (one schema per site).

Money is ``Decimal`` with 2 places in the site's pricing currency (``PricingSettings.currency``).

* ``OrderOption``: one choice of a dropdown (``group``); retired options (``is_active=False``)
  stay for the orders that named them but are no longer offered.
* ``PricingSettings``: one row (``pk=1``): currency, the single-spacing factor, page limits.
* ``PageRate``: the price of one double-spaced page for an academic level and a deadline band.
* ``ExtraService``: an add-on, a fixed amount per order or a percentage of the pages' price.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q

DEFAULT_SINGLE_SPACING_FACTOR = Decimal("2.00")
DEFAULT_MINIMUM_PAGES = 1
DEFAULT_MAXIMUM_PAGES = 200


class OptionGroup(models.TextChoices):
    """The dropdowns of the order form."""

    PAPER_TYPE = "paper_type", "Paper type"
    SUBJECT = "subject", "Subject"
    ACADEMIC_LEVEL = "academic_level", "Academic level"
    FORMATTING_STYLE = "formatting_style", "Formatting style"
    LANGUAGE = "language", "Language"


class OrderOption(models.Model):
    """A choice of one dropdown: ``slug`` unique within its ``group``; listed by ``position``
    (ascending), then name. ``is_active=False``: retired, kept for old orders, not offered."""

    group = models.CharField(max_length=32, choices=OptionGroup.choices)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("group", "position", "name", "id")
        constraints = [
            models.UniqueConstraint(fields=("group", "slug"), name="writing_pricing_option_slug_unique"),
            models.CheckConstraint(
                condition=Q(group__in=OptionGroup.values), name="writing_pricing_option_group_valid"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_pricing_option_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.name}"


class PricingSettings(models.Model):
    """The site's pricing settings (one row, ``pk=1``).

    ``currency``: ISO 4217 code of every price of the site. ``single_spacing_factor``: a
    single-spaced page costs this many double-spaced pages (``2.00``). ``minimum_pages`` and
    ``maximum_pages``: the page counts an order may have (inclusive).
    """

    currency = models.CharField(max_length=3)
    single_spacing_factor = models.DecimalField(max_digits=4, decimal_places=2, default=DEFAULT_SINGLE_SPACING_FACTOR)
    minimum_pages = models.PositiveIntegerField(default=DEFAULT_MINIMUM_PAGES)
    maximum_pages = models.PositiveIntegerField(default=DEFAULT_MAXIMUM_PAGES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "pricing settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_pricing_settings_single_row"),
            models.CheckConstraint(
                condition=Q(single_spacing_factor__gte=1), name="writing_pricing_settings_spacing_factor_min"
            ),
            models.CheckConstraint(
                condition=Q(minimum_pages__gte=1) & Q(maximum_pages__gte=models.F("minimum_pages")),
                name="writing_pricing_settings_pages_range",
            ),
        ]

    def __str__(self) -> str:
        return "pricing settings"


class PageRate(models.Model):
    """The price of one double-spaced page (``price_per_page``, > 0, site currency) for an
    ``academic_level`` option and the deadline band up to ``deadline_hours_max`` hours from now
    (the shortest band covering an order's deadline applies; ``pricing.quote``)."""

    academic_level = models.ForeignKey(OrderOption, on_delete=models.PROTECT, related_name="page_rates")
    deadline_hours_max = models.PositiveIntegerField()
    price_per_page = models.DecimalField(max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("academic_level__position", "academic_level_id", "deadline_hours_max")
        constraints = [
            models.UniqueConstraint(
                fields=("academic_level", "deadline_hours_max"), name="writing_pricing_rate_level_band_unique"
            ),
            models.CheckConstraint(condition=Q(deadline_hours_max__gte=1), name="writing_pricing_rate_band_min"),
            models.CheckConstraint(condition=Q(price_per_page__gt=0), name="writing_pricing_rate_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.academic_level_id} <= {self.deadline_hours_max} h: {self.price_per_page}"


class ExtraPricing(models.TextChoices):
    """How an extra service is priced."""

    FIXED = "fixed", "Fixed amount per order"
    PERCENT = "percent", "Percentage of the pages' price"


class ExtraService(models.Model):
    """An add-on to an order: ``fixed`` (``amount`` in the site currency, per order) or
    ``percent`` (``amount`` percent of the pages' price, 0-100 exclusive of 0). ``slug`` is unique;
    ``is_active=False``: retired, not offered."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True, default="")
    pricing = models.CharField(max_length=16, choices=ExtraPricing.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "name", "id")
        constraints = [
            models.CheckConstraint(condition=Q(pricing__in=ExtraPricing.values), name="writing_pricing_extra_kind"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_pricing_extra_amount_positive"),
            models.CheckConstraint(
                condition=Q(pricing="fixed") | Q(amount__lte=100), name="writing_pricing_extra_percent_max"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_pricing_extra_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name
