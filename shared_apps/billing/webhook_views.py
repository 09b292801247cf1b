"""``POST /api/v1/billing/stripe/webhook/`` on the platform host: Stripe's billing events."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.schema import NamedChoiceField
from shared_apps.billing.webhooks import billing_event_process


class BillingWebhookResponseSerializer(serializers.Serializer):
    """Output of the billing webhook: ``{received, status, outcome}``; ``status`` is ``processed``,
    ``duplicate`` (a replay: nothing changed) or ``ignored`` (no account of ours, or a type not handled)."""

    received = serializers.BooleanField()
    status = NamedChoiceField(component_name="BillingWebhookStatusEnum", choices=["processed", "duplicate", "ignored"])
    outcome = serializers.CharField(allow_blank=True)


class BillingWebhookView(APIView):
    """``POST /api/v1/billing/stripe/webhook/``: Stripe's events about the tenants' subscriptions
    (no login; signed with ``STRIPE_BILLING_WEBHOOK_SECRET``); see ``webhooks.billing_event_process``.

    200 ``{"received": true, "status", "outcome"}``; 400 ``invalid_signature`` / ``invalid_payload``;
    502 when Stripe cannot be read (checkout: Stripe retries); 503 ``payments_unavailable`` without the secret.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    extra_error_statuses = (502, 503)

    @extend_schema(
        operation_id="billing_stripe_webhook",
        request={"application/json": dict},
        responses=BillingWebhookResponseSerializer,
    )
    def post(self, request: Request) -> Response:
        result = billing_event_process(payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE"))
        return Response({"received": True, "status": result.status, "outcome": result.outcome})
