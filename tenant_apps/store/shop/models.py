"""The store's site settings, buyers' profiles and sellers' points (seed 001, the store).

* ``StoreSettings``: one row per site (``pk=1``), edited by the site's admin: the seller commission,
  the wait between delivery and completion, the return window, the auctions' anti-sniping window
  and the points thresholds of the seller ranks. ``services.store_settings()`` reads it (created
  with the defaults below on first use).
* ``StoreProfile``: a user's delivery location (``location_lat``, ``location_lng``,
  ``location_address``), required at checkout and shown to the delivery user holding the order.
* ``SellerAccount`` with ``points``, kept next to an append-only ``PointsEntry`` ledger: completed
  orders add points, approved returns may deduct them (never below zero: a check constraint).
  The seller's rank is the highest threshold their points reach; a rank unlocks brands.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

#: Defaults of a new site's settings.
DEFAULT_COMMISSION_PERCENT = Decimal("10.00")
DEFAULT_COMPLETION_WAIT_DAYS = 3
DEFAULT_RETURN_WINDOW_DAYS = 14
DEFAULT_ANTI_SNIPING_SECONDS = 120
DEFAULT_POINTS_PER_ORDER = 10
#: ``{rank: minimum points}``, ascending; a seller below the first threshold has no rank.
DEFAULT_RANKS = {"bronze": 50, "silver": 200, "gold": 500}
#: The lowest rank that may create brands and assign them to products.
DEFAULT_BRAND_RANK = "bronze"


def default_ranks() -> dict[str, int]:
    """A new site's ranks (a copy of ``DEFAULT_RANKS``: a JSONField default must be a callable)."""
    return dict(DEFAULT_RANKS)


class StoreSettings(models.Model):
    """The store's settings (one row, ``pk=1``); percentages are ``Decimal`` 0-100."""

    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=DEFAULT_COMMISSION_PERCENT)
    completion_wait_days = models.PositiveSmallIntegerField(default=DEFAULT_COMPLETION_WAIT_DAYS)
    return_window_days = models.PositiveSmallIntegerField(default=DEFAULT_RETURN_WINDOW_DAYS)
    anti_sniping_seconds = models.PositiveIntegerField(default=DEFAULT_ANTI_SNIPING_SECONDS)
    points_per_order = models.PositiveIntegerField(default=DEFAULT_POINTS_PER_ORDER)
    ranks = models.JSONField(default=default_ranks, help_text='{"rank": minimum points}, ascending.')
    brand_rank = models.CharField(max_length=32, default=DEFAULT_BRAND_RANK)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "store settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="shop_settings_single_row"),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0) & Q(commission_percent__lte=100),
                name="shop_settings_commission_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return "store settings"


class StoreProfile(models.Model):
    """A user's delivery location; ``location_lat``/``location_lng`` in decimal degrees (WGS 84)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_profile")
    location_lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_lng = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_address = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(location_lat__isnull=True) | (Q(location_lat__gte=-90) & Q(location_lat__lte=90)),
                name="shop_profile_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(location_lng__isnull=True) | (Q(location_lng__gte=-180) & Q(location_lng__lte=180)),
                name="shop_profile_lng_range",
            ),
        ]

    def __str__(self) -> str:
        return f"store profile of user #{self.user_id}"

    @property
    def has_location(self) -> bool:
        """Whether a delivery location is complete (both coordinates and an address)."""
        return self.location_lat is not None and self.location_lng is not None and bool(self.location_address)


class SellerAccount(models.Model):
    """A seller's points (never negative), kept by ``services`` next to the ``PointsEntry`` rows."""

    seller = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller_account")
    points = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(points__gte=0), name="shop_seller_points_not_negative")]

    def __str__(self) -> str:
        return f"seller account of user #{self.seller_id} ({self.points} points)"


class PointsEntryKind(models.TextChoices):
    """Why a seller's points changed."""

    ORDER_COMPLETED = "order_completed", "Order completed"
    RETURN_PENALTY = "return_penalty", "Return penalty"
    ADJUSTMENT = "adjustment", "Adjustment"


class PointsEntry(models.Model):
    """One change of a seller's points, append-only; ``reference`` (unique per account when set)
    makes the change idempotent (``"order:17"``)."""

    account = models.ForeignKey(SellerAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=PointsEntryKind.choices)
    delta = models.IntegerField()
    points_after = models.IntegerField()
    reference = models.CharField(max_length=100, blank=True)
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)
        verbose_name_plural = "points entries"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reference"], condition=~Q(reference=""), name="shop_points_reference_unique"
            ),
            models.CheckConstraint(condition=Q(points_after__gte=0), name="shop_points_after_not_negative"),
            models.CheckConstraint(condition=~Q(delta=0), name="shop_points_delta_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.delta:+} for account #{self.account_id}"
