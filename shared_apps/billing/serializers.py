"""Serializers of the billing API: plans (public and staff), plan choice, the tenant's billing
overview, staff's billing block of a tenant, Checkout and Portal links."""

from __future__ import annotations

from rest_framework import serializers

from shared_apps.billing.models import Plan, PlanInterval, SubscriptionStatus

#: A plan as anyone sees it on ``GET /api/v1/plans/``.
PUBLIC_PLAN_FIELDS: tuple[str, ...] = ("code", "name", "price", "currency", "interval", "trial_days", "limits")


class PlanSerializer(serializers.ModelSerializer):
    """A public plan: what it costs and what it allows (``limits``: name -> most allowed, ``null``
    unlimited). ``price`` is a decimal string in ``currency``'s major unit."""

    limits = serializers.DictField(child=serializers.IntegerField(allow_null=True), read_only=True)

    class Meta:
        model = Plan
        fields: tuple[str, ...] = PUBLIC_PLAN_FIELDS
        read_only_fields: tuple[str, ...] = fields


class StaffPlanSerializer(PlanSerializer):
    """A plan as platform staff see it: with its visibility, Connect fee and Stripe ids."""

    class Meta(PlanSerializer.Meta):
        fields = (
            *PUBLIC_PLAN_FIELDS,
            "is_public",
            "application_fee_percent",
            "stripe_product_id",
            "stripe_price_id",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class PlanWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/plans/`` (``code``, ``name``, ``price``, ``currency`` required) and
    ``PATCH /api/v1/plans/{code}/`` (any but ``code``). The rules (limit names, the currency's
    step, a free plan at 0) are the service's."""

    code = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=100)
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3)
    interval = serializers.ChoiceField(choices=PlanInterval.choices, required=False)
    trial_days = serializers.IntegerField(min_value=0, max_value=730, required=False)
    application_fee_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False
    )
    limits = serializers.DictField(child=serializers.IntegerField(min_value=0, allow_null=True), required=False)
    is_public = serializers.BooleanField(required=False)


class PlanChoiceSerializer(serializers.Serializer):
    """A plan chosen by its code."""

    plan = serializers.CharField(max_length=50)


class UsageSerializer(serializers.Serializer):
    """One limit: ``allowed`` by the plan (``null``: unlimited) and the ``usage`` now, in ``unit``."""

    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # DRF pops declared fields
    allowed = serializers.IntegerField(read_only=True, allow_null=True)
    usage = serializers.IntegerField(read_only=True)
    # A plain string, not an enum: "unit" names another choice set in the writing kind's schema.
    unit = serializers.CharField(read_only=True, help_text="count or MB")


class StripeInvoiceSerializer(serializers.Serializer):
    """A Stripe invoice of the site's subscription; ``amount`` is due, in ``currency``'s major unit."""

    id = serializers.CharField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    currency = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True, allow_null=True)
    hosted_invoice_url = serializers.CharField(read_only=True, allow_null=True)
    created = serializers.DateTimeField(read_only=True)


class BillingOverviewSerializer(serializers.Serializer):
    """``GET /api/v1/billing/``: the site's plan (``null``: none, nothing limited), subscription
    ``status`` (``pending`` until Stripe has it), trial and period ends, the grace period's end
    (a failed payment), whether billing suspended the site, usage, and invoices
    (``invoices_unavailable``: Stripe could not be asked; ``invoices`` is empty then)."""

    plan = PlanSerializer(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, read_only=True)
    trial_end = serializers.DateTimeField(read_only=True, allow_null=True)
    current_period_end = serializers.DateTimeField(read_only=True, allow_null=True)
    cancel_at_period_end = serializers.BooleanField(read_only=True)
    grace_ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    billing_suspended = serializers.BooleanField(read_only=True)
    usage = UsageSerializer(many=True, read_only=True)
    invoices = StripeInvoiceSerializer(many=True, read_only=True)
    invoices_unavailable = serializers.BooleanField(read_only=True)


class StaffBillingSerializer(serializers.Serializer):
    """A tenant's billing as platform staff see it (the tenant's detail, a plan change)."""

    plan = serializers.CharField(read_only=True, allow_null=True)
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, read_only=True)
    stripe_customer_id = serializers.CharField(read_only=True)
    stripe_subscription_id = serializers.CharField(read_only=True)
    current_period_end = serializers.DateTimeField(read_only=True, allow_null=True)
    trial_end = serializers.DateTimeField(read_only=True, allow_null=True)
    cancel_at_period_end = serializers.BooleanField(read_only=True)
    grace_ends_at = serializers.DateTimeField(read_only=True, allow_null=True)
    billing_suspended = serializers.BooleanField(read_only=True)
    sync_error = serializers.CharField(read_only=True)
    usage = UsageSerializer(many=True, read_only=True)


class RedirectUrlSerializer(serializers.Serializer):
    """A Stripe-hosted page to send the browser to (Checkout, Billing Portal)."""

    url = serializers.URLField(read_only=True)
