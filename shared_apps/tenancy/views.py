"""Platform host API: the superadmin ``/api/v1/tenants/``, and ``/api/v1/tls/ask/`` for the TLS edge."""

from __future__ import annotations

import hmac
import re
from typing import Any

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.permissions import IsPlatformStaff
from saas.api.views import VisibleQuerysetMixin
from saas.errors import ErrorCode, NotFound, PermissionDenied
from shared_apps.billing.serializers import PlanChoiceSerializer, StaffBillingSerializer
from shared_apps.tenancy import selectors, services
from shared_apps.tenancy.hosts import tenant_for_host
from shared_apps.tenancy.models import TenantStatus
from shared_apps.tenancy.serializers import (
    TenantCreateSerializer,
    TenantDetailSerializer,
    TenantDropSerializer,
    TenantSerializer,
    TlsAskQuerySerializer,
    TlsAskSerializer,
)


class TenantViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Provision, list, inspect, suspend, resume, archive and drop tenants (platform staff only).

    Filter with ``?kind=&status=``, search with ``?search=`` (name, slug, owner e-mail).
    """

    permission_classes = [IsPlatformStaff]
    serializer_class = TenantSerializer
    lookup_field = "schema_name"
    lookup_url_kwarg = "slug"
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ("kind", "status")
    search_fields = ("name", "schema_name", "owner_email")
    ordering_fields = ("schema_name", "created_at", "name")

    def visible_queryset(self) -> Any:
        return selectors.tenant_list()

    @extend_schema(responses=TenantDetailSerializer)
    def retrieve(self, request: Request, slug: str | None = None) -> Response:
        """The tenant with its billing block (plan, status, Stripe ids, period end, usage)."""
        return Response(TenantDetailSerializer(self.get_object()).data)

    @extend_schema(request=TenantCreateSerializer, responses={201: TenantSerializer})
    def create(self, request: Request) -> Response:
        serializer = TenantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tenant = services.tenant_provision(**serializer.validated_data)
        return Response(TenantSerializer(tenant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TenantDropSerializer, responses={204: None})
    def destroy(self, request: Request, slug: str | None = None) -> Response:
        serializer = TenantDropSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.tenant_drop(tenant=self.get_object(), confirm_slug=serializer.validated_data["confirm_slug"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _transition(self, action_name: str) -> Response:
        tenant = services.tenant_transition(tenant=self.get_object(), action=action_name, actor=self.request.user)
        return Response(TenantSerializer(tenant).data)

    @extend_schema(request=PlanChoiceSerializer, responses=StaffBillingSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, slug: str | None = None) -> Response:
        """Move the tenant to another plan (``{"plan": code}``, any plan, public or not); Stripe
        follows in the background. Written to the tenant's audit log."""
        from shared_apps.billing.overview import staff_billing_of
        from shared_apps.billing.services import billing_plan_change, plan_for_code

        tenant = self.get_object()
        serializer = PlanChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = plan_for_code(serializer.validated_data["plan"])
        billing_plan_change(tenant=tenant, plan=plan, actor=request.user)
        return Response(StaffBillingSerializer(staff_billing_of(tenant)).data)

    @extend_schema(request=None, responses=TenantSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, slug: str | None = None) -> Response:
        """Every endpoint of the site answers 403 ``tenant_suspended`` until resumed."""
        return self._transition("suspend")

    @extend_schema(request=None, responses=TenantSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, slug: str | None = None) -> Response:
        """Serve a suspended or archived site again."""
        return self._transition("resume")

    @extend_schema(request=None, responses=TenantSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, slug: str | None = None) -> Response:
        """Stop serving the site (410 ``tenant_archived``); its data is kept."""
        return self._transition("archive")


#: A host name in ASCII, as a TLS client sends it in SNI.
_ASK_NAME_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TlsAskView(APIView):
    """``GET /api/v1/tls/ask/?domain=<name>``: may a TLS edge get a certificate for ``name``?

    For Caddy's on-demand TLS ``ask`` (``k8s/edge/Caddyfile``): 200 for the platform domain, an
    active tenant's platform host, or a verified (or flagged) custom domain of an active
    tenant; 404 ``unknown_tenant`` for anything else (pending domains, unknown or malformed
    names). Answered from the routing cache (``hosts.tenant_for_host``): no query when warm.

    Meant for cluster-internal use: when ``TLS_ASK_TOKEN`` is set the request must carry it,
    as ``?token=`` (what the Caddyfile sends) or ``Authorization: Bearer <token>``, compared in
    constant time; otherwise 403 ``permission_denied``. No authentication classes and no
    throttle (the edge rate-limits its own questions).
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    extra_error_statuses = (403, 404)

    @extend_schema(parameters=[TlsAskQuerySerializer], responses={200: TlsAskSerializer})
    def get(self, request: Request) -> Response:
        query = TlsAskQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        expected = str(settings.TLS_ASK_TOKEN)
        if expected:
            given = query.validated_data.get("token") or ""
            header = request.headers.get("Authorization", "")
            if not given and header.startswith("Bearer "):
                given = header.removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), expected.encode()):
                raise PermissionDenied("A valid TLS ask token is required.")
        name = query.validated_data["domain"].strip().lower().removesuffix(".")
        if not (len(name) <= 253 and _ASK_NAME_RE.fullmatch(name) and _served(name)):
            raise NotFound(f"No site is served at {name[:253]}.", code=ErrorCode.UNKNOWN_TENANT)
        return Response(TlsAskSerializer({"domain": name}).data)


def _served(name: str) -> bool:
    if name == settings.PLATFORM_DOMAIN:
        return True
    tenant = tenant_for_host(name)
    return tenant is not None and tenant.status == TenantStatus.ACTIVE
