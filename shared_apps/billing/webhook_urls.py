"""The billing webhook's URL on the platform host (``saas/urls/public.py``, under ``/api/v1/``); a
separate list from ``urls.py`` so the subscription endpoints and the webhook grow apart."""

from django.urls import path

from shared_apps.billing.webhook_views import BillingWebhookView

webhook_urlpatterns = [
    path("billing/stripe/webhook/", BillingWebhookView.as_view(), name="billing-stripe-webhook"),
]
urlpatterns = webhook_urlpatterns
