"""Platform host: the Stripe Connect webhook, ``/api/v1/billing/stripe/connect/webhook/``."""

from django.urls import path

from shared_apps.billing.connect_views import ConnectWebhookView

urlpatterns = [
    path("billing/stripe/connect/webhook/", ConnectWebhookView.as_view(), name="billing-connect-webhook"),
]
