"""Discount codes and campaigns of a writing site (one schema per site).

* ``Discount``: a percentage off or a fixed amount off an order's price (pages and extras), in a
  validity window, limited in total uses and uses per client, from a minimum order amount, for a
  client's first order only, for some order options only (academic levels, paper types...), and
  combinable with loyalty points or not. With a ``code`` it applies when the client types it; with
  no code it is a **campaign**: it applies by itself to every eligible order in its window (the one
  worth most when several do), unless the client types a code (one discount per order).
* ``DiscountUse``: a discount used by an order (one per order), counted against the limits until
  it is released (the order was cancelled unpaid: the use is given back).

Amounts are ``Decimal`` with 2 places in the site's pricing currency; never negative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class DiscountKind(models.TextChoices):
    """How a discount takes money off."""

    PERCENT = "percent", "Percentage of the price"
    FIXED = "fixed", "Fixed amount"


class Discount(models.Model):
    """A discount code (``code`` set: upper-case letters, digits, ``-`` and ``_``, unique) or a
    campaign (``code`` null).

    ``kind``/``value``: ``percent`` (``value`` 0-100 exclusive of 0, of the price before
    discounts) or ``fixed`` (``value`` in the site currency; never more than the price).
    ``starts_at``/``ends_at``: the window (either open). ``max_uses``: uses in total (null: no
    limit); ``max_uses_per_client``: uses per client (null: no limit); ``uses_count``: the uses
    not released (kept under the discount's lock, never above ``max_uses``: a check constraint).
    ``minimum_order``: the price before discounts must reach it. ``first_order_only``: only for a
    client with no order other than cancelled ones. ``options``: when any are listed, the order's
    option of each group listed must be one of them (e.g. only ``phd`` and ``masters`` levels).
    ``stacks_with_loyalty``: whether points may be redeemed on the same order. ``is_active``:
    ``False`` switches it off.
    """

    name = models.CharField(max_length=120)
    code = models.CharField(max_length=40, null=True, blank=True, unique=True)
    kind = models.CharField(max_length=10, choices=DiscountKind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    max_uses_per_client = models.PositiveIntegerField(null=True, blank=True)
    uses_count = models.PositiveIntegerField(default=0)
    minimum_order = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    first_order_only = models.BooleanField(default=False)
    options = models.ManyToManyField("writing_pricing.OrderOption", blank=True, related_name="discounts")
    stacks_with_loyalty = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DiscountKind.values), name="writing_discounts_kind_valid"),
            models.CheckConstraint(condition=Q(value__gt=0), name="writing_discounts_value_positive"),
            models.CheckConstraint(
                condition=Q(kind=DiscountKind.FIXED) | Q(value__lte=100), name="writing_discounts_percent_max"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="writing_discounts_window",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses_count__lte=F("max_uses")),
                name="writing_discounts_uses_within_limit",
            ),
            models.CheckConstraint(condition=Q(minimum_order__gte=0), name="writing_discounts_minimum_not_negative"),
            models.CheckConstraint(
                condition=Q(code__isnull=True) | ~Q(code=""), name="writing_discounts_code_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"campaign: {self.name}"


class DiscountUse(models.Model):
    """``discount`` used by ``order`` (one discount per order) of ``client``, taking ``amount``
    (> 0, ``currency``) off. ``released_at``: when the use was given back (the order was cancelled
    unpaid); a released use no longer counts against the limits."""

    discount = models.ForeignKey(Discount, on_delete=models.PROTECT, related_name="uses")
    client = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_discount_uses")
    order = models.OneToOneField("writing_orders.Order", on_delete=models.PROTECT, related_name="discount_use")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["discount", "client"], name="writing_discount_use_client")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="writing_discount_use_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.discount} on order {self.order_id}"
