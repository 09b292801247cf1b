"""Loyalty points of a writing site's clients (one schema per site).

* ``LoyaltySettings``: one row (``pk=1``): how many points a client earns per unit of the site's
  currency paid (``points_per_unit``), what one point is worth when redeemed (``point_value``, in
  the site's pricing currency), after how many days earned points expire (``expiry_days``, 0:
  never) and the fewest points one redemption may use (``minimum_redeem``).
* ``LoyaltyTier``: a tier reached by lifetime spend (``minimum_spend``); its ``bonus_percent`` is
  added to the earning rate. A client is in the highest tier whose minimum their lifetime spend
  reaches (computed, never stored: changing the tiers re-sorts everyone at once).
* ``LoyaltyAccount``: one per client: ``balance`` (points, never negative: a check constraint),
  ``lifetime_spend`` (what their completed orders were paid, less refunds) and ``lifetime_points``.
* ``PointsEntry``: the append-only ledger of an account. ``points`` is signed (earned +, spent -);
  ``balance_after`` is the account's balance once applied. ``reference`` is unique: an operation
  repeated with its reference is done once. Earned points are spent and expire oldest first: each
  crediting entry keeps what is left of it (``remaining``) until its ``expires_at``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

DEFAULT_POINTS_PER_UNIT = Decimal("1.00")
DEFAULT_POINT_VALUE = Decimal("0.01")
DEFAULT_EXPIRY_DAYS = 365
DEFAULT_MINIMUM_REDEEM = 100


class LoyaltySettings(models.Model):
    """The site's loyalty settings (one row, ``pk=1``, created with the defaults on first use).

    ``points_per_unit``: points earned per 1.00 of the site's currency paid (``1.00``: a 24.00
    order earns 24 points before the tier bonus). ``point_value``: what one point is worth when
    redeemed, in the site's pricing currency (``0.01``: 100 points are 1.00). ``expiry_days``:
    earned points expire this many days after they were earned (0: never). ``minimum_redeem``:
    the fewest points one redemption may use. ``is_active``: ``False`` stops earning and redeeming
    (balances are kept).
    """

    points_per_unit = models.DecimalField(max_digits=8, decimal_places=2, default=DEFAULT_POINTS_PER_UNIT)
    point_value = models.DecimalField(max_digits=8, decimal_places=4, default=DEFAULT_POINT_VALUE)
    expiry_days = models.PositiveIntegerField(default=DEFAULT_EXPIRY_DAYS)
    minimum_redeem = models.PositiveIntegerField(default=DEFAULT_MINIMUM_REDEEM)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "loyalty settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_loyalty_settings_single_row"),
            models.CheckConstraint(condition=Q(points_per_unit__gte=0), name="writing_loyalty_settings_rate_min"),
            models.CheckConstraint(condition=Q(point_value__gt=0), name="writing_loyalty_settings_value_positive"),
            models.CheckConstraint(condition=Q(minimum_redeem__gte=1), name="writing_loyalty_settings_redeem_min"),
        ]

    def __str__(self) -> str:
        return "loyalty settings"


class LoyaltyTier(models.Model):
    """A tier: clients whose lifetime spend reaches ``minimum_spend`` (site currency, >= 0, unique)
    earn ``bonus_percent`` (0-1000) more points than the base rate."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    minimum_spend = models.DecimalField(max_digits=12, decimal_places=2, unique=True)
    bonus_percent = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("minimum_spend", "id")
        constraints = [
            models.CheckConstraint(condition=Q(minimum_spend__gte=0), name="writing_loyalty_tier_spend_min"),
            models.CheckConstraint(
                condition=Q(bonus_percent__gte=0) & Q(bonus_percent__lte=1000), name="writing_loyalty_tier_bonus_range"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_loyalty_tier_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name


class LoyaltyAccount(models.Model):
    """A client's points: ``balance`` >= 0 (check constraint), ``lifetime_spend`` >= 0 (site
    currency: what their completed orders were paid, less refunds), ``lifetime_points`` (points
    ever earned, for the record)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_loyalty")
    balance = models.IntegerField(default=0)
    lifetime_spend = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    lifetime_points = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="writing_loyalty_account_balance_not_negative"),
            models.CheckConstraint(
                condition=Q(lifetime_spend__gte=0), name="writing_loyalty_account_spend_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"loyalty of user {self.user_id}: {self.balance} points"


class PointsKind(models.TextChoices):
    """What moved the points."""

    EARN = "earn", "Earned"  # a completed, paid order (+)
    AWARD = "award", "Awarded"  # a reward from another app, e.g. a referral (+)
    REDEEM = "redeem", "Redeemed"  # for wallet credit or at checkout (-)
    RESTORE = "restore", "Restored"  # a checkout redemption given back: the order was cancelled unpaid (+)
    REVOKE = "revoke", "Taken back"  # the order's points, for its refund (-)
    EXPIRE = "expire", "Expired"  # earned points past their expiry (-)
    ADJUST = "adjust", "Adjusted"  # an admin's correction (+ or -)


#: Kinds that credit points (each credit is a lot spent oldest-first and may expire).
CREDIT_KINDS = (PointsKind.EARN, PointsKind.AWARD, PointsKind.RESTORE)


class PointsEntry(models.Model):
    """One movement of an ``account``'s points: ``points`` signed (zero only for a take-back that
    found nothing left, its ``shortfall`` saying what was owed), ``balance_after`` the
    balance once applied (>= 0). ``reference`` (unique) names the operation (``order:17:earn``).

    Crediting entries (``points`` > 0) are lots: ``remaining`` is what is left of them (spent and
    expired oldest-first), ``expires_at`` when what is left expires (``None``: never).
    ``shortfall``: points a take-back or an expiry could not take because the balance was already
    spent (recorded, never made negative). ``order``: the order it concerns, if any;
    ``actor``: who did it (``None``: the system).
    """

    account = models.ForeignKey(LoyaltyAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=10, choices=PointsKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    remaining = models.IntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    shortfall = models.IntegerField(default=0)
    reference = models.CharField(max_length=100, unique=True)
    reason = models.CharField(max_length=255, blank=True, default="")
    order = models.ForeignKey(
        "writing_orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="loyalty_entries"
    )
    wallet_entry = models.ForeignKey(
        "wallet.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "points entries"
        indexes = [
            models.Index(fields=["account", "-created_at"], name="writing_loyalty_entry_recent"),
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="writing_loyalty_entry_expiring"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0) | Q(shortfall__gt=0), name="writing_loyalty_entry_points_not_zero"
            ),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="writing_loyalty_entry_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & (Q(remaining=0) | Q(remaining__lte=models.F("points"))),
                name="writing_loyalty_entry_remaining_range",
            ),
            models.CheckConstraint(condition=Q(shortfall__gte=0), name="writing_loyalty_entry_shortfall_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=PointsKind.values), name="writing_loyalty_entry_kind_valid"),
            models.CheckConstraint(condition=~Q(reference=""), name="writing_loyalty_entry_reference_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d} ({self.reference})"
