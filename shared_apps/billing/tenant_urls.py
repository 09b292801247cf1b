"""``/api/v1/billing/`` on every tenant host (the site's admins): overview, plan change, Checkout
and Billing Portal links."""

from typing import Any

from django.urls import path

from shared_apps.billing.views import BillingCheckoutView, BillingOverviewView, BillingPlanView, BillingPortalView

urlpatterns: list[Any] = [
    path("billing/", BillingOverviewView.as_view(), name="billing_overview"),
    path("billing/plan/", BillingPlanView.as_view(), name="billing_plan"),
    path("billing/checkout/", BillingCheckoutView.as_view(), name="billing_checkout"),
    path("billing/portal/", BillingPortalView.as_view(), name="billing_portal"),
]
