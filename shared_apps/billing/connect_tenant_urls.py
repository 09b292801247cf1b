"""Tenant hosts: the admin's Stripe Connect onboarding, ``/api/v1/billing/connect/...``."""

from django.urls import path

from shared_apps.billing.connect_views import (
    ConnectOnboardingView,
    ConnectRefreshView,
    ConnectReturnView,
    ConnectStatusView,
)

urlpatterns = [
    path("billing/connect/", ConnectStatusView.as_view(), name="billing-connect"),
    path("billing/connect/onboarding/", ConnectOnboardingView.as_view(), name="billing-connect-onboarding"),
    path("billing/connect/return/", ConnectReturnView.as_view(), name="billing-connect-return"),
    path("billing/connect/refresh/", ConnectRefreshView.as_view(), name="billing-connect-refresh"),
]
