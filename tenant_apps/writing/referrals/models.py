"""Referral codes, referrals and the reward settings of a writing site (one schema per site).

* ``ReferralCode``: a client's code (``code``, 8 characters of an unambiguous upper-case alphabet,
  random: ``services.new_code``), created on first need (``services.referral_code_for``); their
  link is ``<site>/register?ref=<code>``.
* ``Referral``: a referred client (``referred``, unique: an account is referred at most once) and
  who referred them (``referrer``; never the same user, a check constraint). ``pending`` until the
  referred client's FIRST order completes; then ``rewarded`` (both got the site's reward, once:
  wallet references ``referral:<id>:referrer`` / ``referral:<id>:referred``) or ``refused``
  (``refused_reason``: ``same_card``, a card fingerprint both used; see ``services``).
* ``ReferralSettings`` (one row, ``pk=1``): whether referrals are on, and the reward each side
  gets: ``wallet`` credit of ``reward_amount`` (the wallet's currency, ``settings.DEFAULT_CURRENCY``)
  or ``points`` (``reward_points`` loyalty points).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

#: The reward each side gets when nothing else is set (``settings.WRITING_REFERRAL_REWARD_AMOUNT``
#: / ``WRITING_REFERRAL_REWARD_POINTS`` override them for new sites' rows).
DEFAULT_REWARD_AMOUNT = Decimal("5.00")
DEFAULT_REWARD_POINTS = 100


class RewardKind(models.TextChoices):
    """What a landed referral gives each side."""

    WALLET = "wallet", "Wallet credit"
    POINTS = "points", "Loyalty points"


class ReferralStatus(models.TextChoices):
    """Where a referral is."""

    PENDING = "pending", "Waiting for the referred client's first completed order"
    REWARDED = "rewarded", "Both sides rewarded"
    REFUSED = "refused", "Refused at completion (see refused_reason)"


class ReferralSettings(models.Model):
    """The referral settings of the site (one row, ``pk=1``): ``enabled``, ``reward_kind``
    (``wallet`` or ``points``), ``reward_amount`` (``Decimal``, 2 places, the wallet's currency;
    used for ``wallet``) and ``reward_points`` (used for ``points``)."""

    enabled = models.BooleanField(default=True)
    reward_kind = models.CharField(max_length=8, choices=RewardKind.choices, default=RewardKind.WALLET)
    reward_amount = models.DecimalField(max_digits=12, decimal_places=2, default=DEFAULT_REWARD_AMOUNT)
    reward_points = models.PositiveIntegerField(default=DEFAULT_REWARD_POINTS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "referral settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="writing_referrals_settings_single_row"),
            models.CheckConstraint(condition=Q(reward_amount__gt=0), name="writing_referrals_amount_positive"),
            models.CheckConstraint(condition=Q(reward_points__gt=0), name="writing_referrals_points_positive"),
            models.CheckConstraint(
                condition=Q(reward_kind__in=RewardKind.values), name="writing_referrals_reward_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return "referral settings"


class ReferralCode(models.Model):
    """A client's referral code (unique, random; one per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="writing_referral_code"
    )
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        constraints = [models.CheckConstraint(condition=~Q(code=""), name="writing_referrals_code_not_blank")]

    def __str__(self) -> str:
        return self.code


class Referral(models.Model):
    """``referred`` (a client, referred once) came through ``referrer``'s ``code``.

    When ``rewarded``: ``order`` is the referred client's first completed order, ``rewarded_at``
    when, and ``reward_kind`` / ``reward_amount`` / ``reward_points`` what each side got (copied
    from the settings then, so a later change of the settings never rewrites history).
    """

    referrer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_referrals")
    referred = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="writing_referred_by"
    )
    code = models.CharField(max_length=16, help_text="The code the referred client claimed.")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING)
    refused_reason = models.CharField(max_length=32, blank=True)
    order = models.ForeignKey("writing_orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reward_kind = models.CharField(max_length=8, choices=RewardKind.choices, blank=True)
    reward_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reward_currency = models.CharField(max_length=3, blank=True)
    reward_points = models.PositiveIntegerField(null=True, blank=True)
    rewarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["referrer", "-created_at"], name="writing_referrals_referrer")]
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=F("referred")), name="writing_referrals_not_self"),
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="writing_referrals_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.REWARDED) | (Q(order__isnull=False) & Q(rewarded_at__isnull=False)),
                name="writing_referrals_rewarded_has_order",
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}: {self.referrer_id} -> {self.referred_id}"
