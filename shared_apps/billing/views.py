"""Billing API views: plans on the platform host, the site's billing on a tenant's host.

Platform host: ``GET /api/v1/plans/`` (anyone: the public plans; staff: every plan, with the
staff fields), ``POST /api/v1/plans/``, ``GET`` / ``PATCH /api/v1/plans/{code}/`` (staff).
Tenant host (the site's admins): ``GET /api/v1/billing/``, ``POST /api/v1/billing/plan/``,
``POST /api/v1/billing/checkout/``, ``POST /api/v1/billing/portal/``. The tenant is the one serving
the request (``current_tenant()``): a site reaches only its own account.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.permissions import IsPlatformStaff
from saas.api.views import VisibleQuerysetMixin
from saas.db.tenant import current_tenant
from shared_apps.billing import overview, services
from shared_apps.billing.models import Plan
from shared_apps.billing.serializers import (
    BillingOverviewSerializer,
    PlanChoiceSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    RedirectUrlSerializer,
    StaffPlanSerializer,
)
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.kinds import ADMIN

#: Errors a view that asks Stripe for a link can answer besides the generic ones.
STRIPE_LINK_ERRORS = (502, 503)


def _is_staff(request: Request) -> bool:
    return IsPlatformStaff().has_permission(request, None)


class PlanViewSet(
    VisibleQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Plans: listed publicly (only ``is_public`` ones, without staff fields); created, read and
    changed by platform staff, then synced to Stripe in the background (Product, Price)."""

    lookup_field = "code"
    lookup_url_kwarg = "code"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "list":
            return [AllowAny()]
        return [IsPlatformStaff()]

    def get_serializer_class(self) -> Any:
        if self.action == "list" and not _is_staff(self.request):
            return PlanSerializer
        return StaffPlanSerializer

    def visible_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False) or _is_staff(self.request):
            return Plan.objects.order_by("price", "code")
        return Plan.objects.filter(is_public=True).order_by("price", "code")

    @extend_schema(request=PlanWriteSerializer, responses={201: StaffPlanSerializer})
    def create(self, request: Request) -> Response:
        serializer = PlanWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(fields=dict(serializer.validated_data))
        return Response(StaffPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanWriteSerializer, responses=StaffPlanSerializer)
    def partial_update(self, request: Request, code: str | None = None) -> Response:
        plan = self.get_object()
        serializer = PlanWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_update(plan=plan, fields=dict(serializer.validated_data))
        return Response(StaffPlanSerializer(plan).data)


class _TenantAdminView(APIView):
    # HasRole instances stand in for classes (DRF calls them); the stubs only know classes.
    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]


class BillingOverviewView(_TenantAdminView):
    """``GET /api/v1/billing/``: the site's plan, subscription status, trial and period ends,
    grace period, billing suspension, usage against each limit, and Stripe's invoices (omitted
    with ``invoices_unavailable`` when Stripe cannot answer: never a 5xx)."""

    @extend_schema(responses=BillingOverviewSerializer)
    def get(self, request: Request) -> Response:
        return Response(BillingOverviewSerializer(overview.billing_overview(current_tenant())).data)


class BillingPlanView(_TenantAdminView):
    """``POST /api/v1/billing/plan/`` ``{"plan": code}``: move the site to a public plan now
    (a downgrade below usage is allowed: creation is refused until usage fits); Stripe follows in
    the background. Answers the overview."""

    @extend_schema(request=PlanChoiceSerializer, responses=BillingOverviewSerializer)
    def post(self, request: Request) -> Response:
        serializer = PlanChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_for_code(serializer.validated_data["plan"], public_only=True)
        tenant = current_tenant()
        services.billing_plan_change(tenant=tenant, plan=plan, actor=request.user)
        return Response(BillingOverviewSerializer(overview.billing_overview(tenant)).data)


class BillingCheckoutView(_TenantAdminView):
    """``POST /api/v1/billing/checkout/`` ``{"plan": code}``: a Stripe Checkout link where the admin
    saves a card; once Stripe reports it complete the site moves to the plan. 409
    ``billing_account_not_ready`` before the site's Stripe customer exists."""

    extra_error_statuses = STRIPE_LINK_ERRORS

    @extend_schema(request=PlanChoiceSerializer, responses=RedirectUrlSerializer)
    def post(self, request: Request) -> Response:
        serializer = PlanChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_for_code(serializer.validated_data["plan"], public_only=True)
        url = services.billing_checkout_start(tenant=current_tenant(), plan=plan)
        return Response(RedirectUrlSerializer({"url": url}).data)


class BillingPortalView(_TenantAdminView):
    """``POST /api/v1/billing/portal/``: a Stripe Billing Portal link (cards, invoices). 409
    ``billing_account_not_ready`` before the site's Stripe customer exists."""

    extra_error_statuses = STRIPE_LINK_ERRORS

    @extend_schema(request=None, responses=RedirectUrlSerializer)
    def post(self, request: Request) -> Response:
        url = services.billing_portal_start(tenant=current_tenant())
        return Response(RedirectUrlSerializer({"url": url}).data)
