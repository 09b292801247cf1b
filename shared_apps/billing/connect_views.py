"""Stripe Connect endpoints: the tenant admin's onboarding (tenant host) and the Connect webhook
(platform host). Thin views over ``shared_apps.billing.connect``.

On a tenant's host the tenant is the one serving the request (``saas.db.tenant.current_tenant()``)
and the public tables are reached through the connection's ``search_path``; every onboarding
endpoint is for the site's ``admin`` role only (``HasRole(ADMIN)``), and each reads or changes
that site's own billing account, never another's (there is no id in the path).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.db.tenant import current_tenant
from shared_apps.billing import connect
from shared_apps.billing.models import BillingAccount
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.kinds import ADMIN

#: Errors of an endpoint that calls Stripe: refused (400), unreachable (502), not configured (503).
STRIPE_CALL_ERRORS = (400, 502, 503)


class ConnectStatusSerializer(serializers.Serializer):
    """The site's Stripe Connect standing: ``connected`` (an account exists), its ``account_id``
    (``acct_...`` or ``""``), Stripe's ``charges_enabled`` / ``details_submitted``, whether card
    payments go to it now (``takes_payments``: charges enabled), and the platform's
    ``application_fee_percent`` (decimal string, 0..100) from the site's plan."""

    connected = serializers.BooleanField()
    account_id = serializers.CharField(allow_blank=True)
    charges_enabled = serializers.BooleanField()
    details_submitted = serializers.BooleanField()
    takes_payments = serializers.BooleanField()
    application_fee_percent = serializers.CharField()


def _site_path(value: str) -> None:
    """A path on the site's own host: starts with one ``/`` (``//`` would name another host to a
    browser), printable ASCII without spaces or backslashes."""
    if (
        not value.startswith("/")
        or value.startswith("//")
        or not value.isascii()
        or not value.isprintable()
        or any(c in value for c in " \\")
    ):
        raise serializers.ValidationError("Enter a path on this site, starting with a single '/'.")


class OnboardingRequestSerializer(serializers.Serializer):
    """Optional ``{"return_path", "refresh_path"}``: the site's own pages Stripe sends the admin's
    browser back to (finished / link expired); default: ``/api/v1/billing/connect/return/`` and
    ``.../refresh/``. Only a path is taken: the host is always the site's primary one."""

    return_path = serializers.CharField(required=False, max_length=500, validators=[_site_path])
    refresh_path = serializers.CharField(required=False, max_length=500, validators=[_site_path])


class OnboardingLinkSerializer(serializers.Serializer):
    """``{"url"}``: Stripe's single-use Express onboarding link; open it in the admin's browser."""

    url = serializers.URLField()


class ConnectWebhookResponseSerializer(serializers.Serializer):
    """Output of the Connect webhook: ``{received, status, outcome}``; ``status`` is ``processed``,
    ``duplicate`` (a replay) or ``ignored`` (an unknown account, another tenant's event, a type not handled)."""

    received = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["processed", "duplicate", "ignored"])
    outcome = serializers.CharField(allow_blank=True)


def _status(account: BillingAccount | None) -> dict[str, Any]:
    fee = Decimal("0.00")
    if account is not None and account.plan_id is not None:
        fee = account.plan.application_fee_percent  # type: ignore[union-attr]
    return {
        "connected": bool(account and account.connect_account_id),
        "account_id": account.connect_account_id if account else "",
        "charges_enabled": bool(account and account.connect_charges_enabled),
        "details_submitted": bool(account and account.connect_details_submitted),
        "takes_payments": bool(account and account.connect_account_id and account.connect_charges_enabled),
        "application_fee_percent": str(fee),
    }


def _current_account() -> BillingAccount | None:
    return BillingAccount.objects.select_related("plan").filter(tenant_id=current_tenant().pk).first()


class ConnectStatusView(APIView):
    """``GET /api/v1/billing/connect/`` (admin): the site's Stripe Connect standing, as stored."""

    # HasRole instances stand in for classes (DRF calls them); the stubs only know classes.
    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]

    @extend_schema(responses=ConnectStatusSerializer)
    def get(self, request: Request) -> Response:
        return Response(ConnectStatusSerializer(_status(_current_account())).data)


class ConnectOnboardingView(APIView):
    """``POST /api/v1/billing/connect/onboarding/`` (admin): ``{"url"}`` of a Stripe Express
    onboarding link for the site's own Stripe account (created on the first call); the body may
    name the front end's pages to come back to (``OnboardingRequestSerializer``)."""

    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]
    extra_error_statuses = STRIPE_CALL_ERRORS

    @extend_schema(request=OnboardingRequestSerializer, responses=OnboardingLinkSerializer)
    def post(self, request: Request) -> Response:
        body = OnboardingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        url = connect.connect_onboarding_start(tenant=current_tenant(), actor=request.user, **body.validated_data)
        return Response(OnboardingLinkSerializer({"url": url}).data)


class ConnectReturnView(APIView):
    """``GET /api/v1/billing/connect/return/`` (admin): Stripe's ``return_url``. Reads the account's
    ``charges_enabled`` / ``details_submitted`` from Stripe again, stores them and answers the
    standing (``GET /api/v1/billing/connect/``'s shape)."""

    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]
    extra_error_statuses = STRIPE_CALL_ERRORS

    @extend_schema(responses=ConnectStatusSerializer)
    def get(self, request: Request) -> Response:
        connect.connect_account_refresh(tenant=current_tenant())
        return Response(ConnectStatusSerializer(_status(_current_account())).data)


class ConnectRefreshView(APIView):
    """``GET /api/v1/billing/connect/refresh/`` (admin): Stripe's ``refresh_url`` (the link expired
    or was used). Answers a new link as JSON ``{"url"}``, like ``onboarding/``, rather than a 302:
    the API authenticates with a bearer token, which only a client that can read JSON carries."""

    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]
    extra_error_statuses = STRIPE_CALL_ERRORS

    @extend_schema(responses=OnboardingLinkSerializer)
    def get(self, request: Request) -> Response:
        url = connect.connect_onboarding_start(tenant=current_tenant(), actor=request.user)
        return Response(OnboardingLinkSerializer({"url": url}).data)


class ConnectWebhookView(APIView):
    """``POST /api/v1/billing/stripe/connect/webhook/`` (platform host; no login; signed with
    ``STRIPE_CONNECT_WEBHOOK_SECRET``): Stripe's events of the sites' connected accounts.

    200 ``{"received": true, "status": "processed" | "duplicate" | "ignored", "outcome"}``: replays
    are ``duplicate``; unknown accounts and events whose metadata names another tenant are
    ``ignored`` (200, so Stripe does not retry them). 400 ``invalid_signature`` /
    ``invalid_payload``; 503 without the secret.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    extra_error_statuses = (503,)

    @extend_schema(request={"application/json": dict}, responses=ConnectWebhookResponseSerializer)
    def post(self, request: Request) -> Response:
        result = connect.connect_event_process(
            payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE")
        )
        return Response({"received": True, "status": result.status, "outcome": result.outcome})
