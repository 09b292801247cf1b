"""Plans, each tenant's billing account and the Stripe events applied (public schema).

Money is ``Decimal`` in the currency's major unit (``saas.money``); times are aware datetimes in UTC.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shared_apps.tenancy.models import Tenant


class PlanInterval(models.TextChoices):
    """How often a plan is billed (Stripe's ``recurring.interval``)."""

    MONTH = "month", "Monthly"
    YEAR = "year", "Yearly"


class Plan(models.Model):
    """What a tenant subscribes to: a price per interval and the limits of what the site may hold.

    ``limits`` maps a limit's name to the most the site may hold, an integer >= 0: the platform's
    own (``users``: active accounts; ``storage_mb``: megabytes of uploaded files;
    ``custom_domains``: custom domains in any status) and those each kind declares in its spec
    (``KindSpec.limits``, e.g. ``products`` for a store). A name that is absent or ``null`` is
    unlimited. ``application_fee_percent`` is the platform's cut of each card payment a site on
    this plan takes through Stripe Connect (0 to 100).

    ``stripe_product_id`` / ``stripe_price_id`` are the Stripe Product and Price the plan is sold
    as; a Price cannot change, so a new price or interval makes a new Price and the plan points at it.
    """

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=8, choices=PlanInterval.choices, default=PlanInterval.MONTH)
    trial_days = models.PositiveIntegerField(default=0)
    application_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    limits = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(
        default=True, help_text="Listed by GET /api/v1/plans/ and offered to tenant admins."
    )
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_price_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("price", "code")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="billing_plan_price_not_negative"),
            models.CheckConstraint(
                condition=Q(application_fee_percent__gte=0, application_fee_percent__lte=100),
                name="billing_plan_fee_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, and ``pending`` before the subscription exists in Stripe."""

    PENDING = "pending", "Pending"
    INCOMPLETE = "incomplete", "Incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELED = "canceled", "Canceled"
    UNPAID = "unpaid", "Unpaid"
    PAUSED = "paused", "Paused"


class BillingAccount(models.Model):
    """A tenant's standing with the platform: its plan, Stripe customer and subscription, dunning
    and its Stripe Connect account. One per tenant, made when it is provisioned.

    ``plan`` is ``None`` only where no plan is configured (``BILLING_DEFAULT_PLAN`` empty): nothing
    is limited then. ``stripe_state_at`` is the ``created`` time of the newest Stripe event applied
    to the subscription: an older event arriving later changes nothing. ``grace_ends_at`` is set
    when the subscription falls ``past_due`` (``BILLING_GRACE_DAYS`` on); ``Tenant.billing_suspended_at``
    is set when it ends unpaid or the subscription is cancelled, and cleared by a payment.
    ``connect_account_id`` is the site's own Stripe account (``acct_...``), where its clients' card
    payments go once ``connect_charges_enabled``.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="billing")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="accounts")
    status = models.CharField(max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING)
    stripe_customer_id = models.CharField(max_length=255, blank=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    stripe_state_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    grace_ends_at = models.DateTimeField(null=True, blank=True)
    grace_reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the admins were told a day or less of grace is left (once per grace)."
    )
    sync_error = models.TextField(blank=True)
    connect_account_id = models.CharField(max_length=255, blank=True)
    connect_charges_enabled = models.BooleanField(default=False)
    connect_details_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("tenant__schema_name",)
        constraints = [
            models.UniqueConstraint(
                fields=("stripe_customer_id",),
                condition=~Q(stripe_customer_id=""),
                name="billing_account_one_customer",
            ),
            models.UniqueConstraint(
                fields=("stripe_subscription_id",),
                condition=~Q(stripe_subscription_id=""),
                name="billing_account_one_subscription",
            ),
            models.UniqueConstraint(
                fields=("connect_account_id",),
                condition=~Q(connect_account_id=""),
                name="billing_account_one_connect_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant.schema_name}: {self.plan.code if self.plan else 'no plan'} ({self.status})"


class BillingEvent(models.Model):
    """A Stripe event the platform's endpoints applied (the billing webhook and the Connect
    webhook): its id is unique, so a replay is recognised and changes nothing."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=255, blank=True, help_text="The connected account, for Connect events.")
    tenant = models.ForeignKey(Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"
