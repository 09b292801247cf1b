"""Superadmin API: impersonation (``POST /api/v1/tenants/{slug}/impersonate/`` on the platform
host), the site's list of impersonation sessions (``GET /api/v1/impersonations/`` on a tenant
host, admins), tenant archives on the platform host (platform staff): exports
(``POST /api/v1/tenants/{slug}/exports/``, ``/api/v1/tenant-exports/``) and imports
(``/api/v1/tenant-imports/``), jobs polled for their progress (``portability/jobs.py``), and usage
per tenant on the platform host (``GET /api/v1/tenant-usage/``, ``GET /api/v1/tenants/{slug}/usage/``,
``GET /api/v1/metrics/``)."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.filters import ColumnChoicesFilter, StrictBooleanFilter
from saas.api.permissions import IsPlatformStaff
from saas.api.views import VisibleQuerysetMixin
from saas.errors import Conflict, ErrorCode, NotFound, PermissionDenied
from shared_apps.billing.models import SubscriptionStatus
from shared_apps.superadmin import impersonation, usage
from shared_apps.superadmin.models import PortabilityJobStatus, TenantExport, TenantImport
from shared_apps.superadmin.portability import jobs
from shared_apps.superadmin.serializers import (
    ImpersonateSerializer,
    ImpersonationEndedSerializer,
    ImpersonationSerializer,
    ImpersonationSessionSerializer,
    TenantExportSerializer,
    TenantImportRequestSerializer,
    TenantImportSerializer,
    TenantUsageDetailSerializer,
    TenantUsageSerializer,
)
from shared_apps.tenancy.models import TenantKind, TenantStatus
from tenant_apps.accounts.permissions import Allows
from tenant_apps.accounts.tokens import IMPERSONATOR_CLAIM, is_impersonation
from tenant_apps.audit.access import can_read_audit_log


class ImpersonateView(APIView):
    """``POST /api/v1/tenants/{slug}/impersonate/`` ``{user_id | email, reason}`` -> 201
    ``{access, expires_at, user: {id, email, roles}}``: an access token of the site's user for
    ``IMPERSONATION_TOKEN_MINUTES``, with no refresh token (staff holding
    ``superadmin.impersonate_tenant_user``). 403 without the permission or, with
    ``impersonation_of_admin_forbidden``, for an admin when ``IMPERSONATION_ALLOW_ADMINS`` is off;
    404 unknown site or user; 409 site not active or user inactive (``user_inactive``)."""

    permission_classes = [IsPlatformStaff]
    extra_error_statuses = (404, 409)

    @extend_schema(request=ImpersonateSerializer, responses={201: ImpersonationSerializer})
    def post(self, request: Request, slug: str) -> Response:
        serializer = ImpersonateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = impersonation.impersonation_start(staff=request.user, tenant_slug=slug, **serializer.validated_data)
        body = {
            "access": started.access,
            "expires_at": started.expires_at,
            "user": {"id": started.user_id, "email": started.email, "roles": started.roles},
        }
        return Response(ImpersonationSerializer(body).data, status=status.HTTP_201_CREATED)


class ImpersonationSessionListView(VisibleQuerysetMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """``GET /api/v1/impersonations/``: the site's impersonation sessions, newest first (admins):
    when each started, by which staff member, why, as whom, until when, and how many requests it
    made, and when it was ended if it was ended early. Read from the site's audit log: three queries a page."""

    permission_classes = [IsAuthenticated, Allows(can_read_audit_log)]  # type: ignore[list-item]
    serializer_class = ImpersonationSessionSerializer

    def visible_queryset(self) -> Any:
        """Every impersonation session of the site: its admins (the permission above) see them all."""
        return impersonation.impersonation_sessions()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        entries = list(page if page is not None else self.get_queryset())
        sessions = [str(e.changes.get("session", "")) for e in entries]
        counts = impersonation.request_counts(sessions)
        ended = impersonation.ended_at_of(sessions)
        rows = [
            {
                "session": str(e.changes.get("session", "")),
                "started_at": e.created_at,
                "staff_email": e.actor_repr,
                "reason": str(e.changes.get("reason", "")),
                "user_id": e.target_id,
                "user": e.target_repr,
                "expires_at": e.changes.get("expires_at"),
                "ended_at": ended.get(str(e.changes.get("session", ""))),
                "requests": counts.get(str(e.changes.get("session", "")), 0),
            }
            for e in entries
        ]
        data = ImpersonationSessionSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class ImpersonationEndView(APIView):
    """``POST /api/v1/impersonations/end/`` with an impersonation token -> 200 ``{session,
    ended_at}``: the impersonator is done; the token answers 401 ``session_expired`` from now on
    (the impersonation's "log out": it has no refresh token for ``/auth/logout/``). 403 with any
    other token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ImpersonationEndedSerializer, operation_id="impersonations_end_own")
    def post(self, request: Request) -> Response:
        if not is_impersonation(request):
            raise PermissionDenied("Only an impersonation token ends an impersonation session.")
        payload = request.auth.payload  # type: ignore[union-attr]
        session = str(payload.get("jti", ""))
        ended = impersonation.impersonation_stop(
            tenant=request.tenant,  # type: ignore[attr-defined]
            session=session,
            impersonator_email=str(payload[IMPERSONATOR_CLAIM].get("email", "")),
        )
        return Response(ImpersonationEndedSerializer({"session": session, "ended_at": ended}).data)


class ImpersonationSessionEndView(APIView):
    """``POST /api/v1/impersonations/{session}/end/`` -> 200 ``{session, ended_at}``: one of the
    site's admins ends an impersonation session at once (its token answers 401 from the next
    request); 404 for a session the site does not know; ending an ended one answers its first end."""

    permission_classes = [IsAuthenticated, Allows(can_read_audit_log)]  # type: ignore[list-item]
    extra_error_statuses = (404,)

    @extend_schema(request=None, responses=ImpersonationEndedSerializer)
    def post(self, request: Request, session: str) -> Response:
        ended = impersonation.impersonation_stop(
            tenant=request.tenant,  # type: ignore[attr-defined]
            session=session,
            admin=request.user,
        )
        return Response(ImpersonationEndedSerializer({"session": session, "ended_at": ended}).data)


class TenantExportStartView(APIView):
    """``POST /api/v1/tenants/{slug}/exports/`` (no body) -> 202, the export job (``queued``): a
    Celery job writes the tenant's archive; poll ``GET /api/v1/tenant-exports/{id}/``. 404 unknown
    tenant."""

    permission_classes = [IsPlatformStaff]
    extra_error_statuses = (404,)

    @extend_schema(request=None, responses={202: TenantExportSerializer})
    def post(self, request: Request, slug: str) -> Response:
        job = jobs.export_request(tenant_slug=slug, actor=request.user)
        job.refresh_from_db()
        return Response(TenantExportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class TenantExportViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """``GET /api/v1/tenant-exports/`` (newest first, ``?tenant_slug=``), ``GET .../{id}/`` (status,
    progress, step, size, sha256) and ``GET .../{id}/download/`` (the archive, ``application/x-tar``,
    streamed; 409 ``export_not_ready`` until ``done``). Platform staff."""

    permission_classes = [IsPlatformStaff]
    serializer_class = TenantExportSerializer
    extra_error_statuses = (404, 409)
    filter_backends = [DjangoFilterBackend]
    filterset_fields = ("tenant_slug", "status")

    def visible_queryset(self) -> Any:
        """Every export: platform staff see them all (the permission above)."""
        return TenantExport.objects.select_related("requested_by").order_by("-created_at", "-id")

    @extend_schema(responses={(200, "application/x-tar"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        job = self.get_object()
        if job.status != PortabilityJobStatus.DONE or not job.archive_key:
            raise Conflict(f"Export {job.pk} is {job.status}.", code=ErrorCode.EXPORT_NOT_READY)
        from django.core.files.storage import default_storage

        return FileResponse(
            default_storage.open(job.archive_key, "rb"),
            as_attachment=True,
            filename=f"{job.tenant_slug}-{job.pk}.tar",
            content_type="application/x-tar",
        )


class TenantImportViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # type: ignore[type-arg]
    """``POST /api/v1/tenant-imports/`` ``{slug, archive (multipart file) | export (id)}`` -> 202,
    the import job; ``GET /api/v1/tenant-imports/`` and ``.../{id}/`` poll it. 400 invalid slug,
    409 ``slug_taken`` / ``export_not_ready``, 404 unknown export; what the archive holds is
    checked by the job (``failed`` with ``error_code``). Platform staff."""

    permission_classes = [IsPlatformStaff]
    serializer_class = TenantImportSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    extra_error_statuses = (404, 409)

    def visible_queryset(self) -> Any:
        """Every import: platform staff see them all (the permission above)."""
        return TenantImport.objects.select_related("requested_by").order_by("-created_at", "-id")

    @extend_schema(request=TenantImportRequestSerializer, responses={202: TenantImportSerializer})
    def create(self, request: Request) -> Response:
        serializer = TenantImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = jobs.import_request(
            slug=data["slug"], actor=request.user, upload=data.get("archive"), export_id=data.get("export")
        )
        job.refresh_from_db()
        return Response(TenantImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class TenantUsageFilter(filters.FilterSet):
    """``?kind=&status=&plan=&billing_status=&has_errors=`` of the usage list; ``kind``,
    ``status`` and ``billing_status`` may repeat (any of them)."""

    kind = ColumnChoicesFilter(choices=TenantKind.choices)
    status = ColumnChoicesFilter(choices=TenantStatus.choices)
    plan = filters.CharFilter(field_name="billing__plan__code", max_length=50)
    billing_status = ColumnChoicesFilter(field_name="billing__status", choices=SubscriptionStatus.choices)
    has_errors = StrictBooleanFilter(method="filter_has_errors")

    def filter_has_errors(self, queryset: Any, name: str, value: bool | None) -> Any:
        """``true``: a 5xx in the last 24 hours; ``false``: none."""
        if value is None:
            return queryset
        return queryset.filter(errors_24h__gt=0) if value else queryset.filter(errors_24h=0)


class _TieBrokenOrdering(OrderingFilter):
    """``?ordering=`` with the slug as the last key, so equal figures page in a stable order."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Any:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering  # the list's own: busiest first, then by slug
        named = [str(term).lstrip("-") for term in ordering]
        return [*ordering, "schema_name"] if "schema_name" not in named else ordering


class TenantUsageListView(VisibleQuerysetMixin, generics.ListAPIView):  # type: ignore[type-arg]
    """``GET /api/v1/tenant-usage/``: every tenant with its usage and health (platform staff), busiest
    first by default. Sort with ``?ordering=`` on any figure (``-errors_24h``, ``db_bytes``...),
    filter with ``?kind=&status=&plan=&billing_status=&has_errors=``, search by slug or name with
    ``?search=``. Read from the snapshots the collection writes: one query a page (and its count),
    no tenant schema read."""

    permission_classes = [IsPlatformStaff]
    serializer_class = TenantUsageSerializer
    filter_backends = [filters.DjangoFilterBackend, SearchFilter, _TieBrokenOrdering]
    filterset_class = TenantUsageFilter
    search_fields = ("schema_name", "name")
    ordering_fields = (
        "schema_name",
        "name",
        "created_at",
        "plan",
        "billing_status",
        *usage.FIGURES,
        "last_activity",
        "collected_at",
    )

    def visible_queryset(self) -> Any:
        """Every tenant but the platform: platform staff see them all."""
        return usage.tenant_usage_list()


class TenantUsageDetailView(VisibleQuerysetMixin, generics.RetrieveAPIView):  # type: ignore[type-arg]
    """``GET /api/v1/tenants/{slug}/usage/``: one tenant's snapshot, its requests and errors hour
    by hour over the last 24 hours (live: Redis' counters, or the stored hours if larger), and its
    plan's limits against usage read now (platform staff). 404 for an unknown slug."""

    permission_classes = [IsPlatformStaff]
    serializer_class = TenantUsageDetailSerializer
    lookup_field = "schema_name"
    lookup_url_kwarg = "slug"

    def visible_queryset(self) -> Any:
        """Every tenant but the platform, with its snapshot."""
        return usage.tenant_usage_list()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        from shared_apps.billing.overview import usage_rows

        tenant = self.get_object()
        tenant.hours = usage.usage_hours(tenant)
        tenant.limits = usage_rows(tenant)
        return Response(TenantUsageDetailSerializer(tenant).data)


class MetricsView(APIView):
    """``GET /api/v1/metrics/``: the tenants' usage for Prometheus (text format 0.0.4), by kind and
    plan only (``shared_apps/superadmin/metrics.py``). Needs ``Authorization: Bearer <METRICS_TOKEN>``,
    compared in constant time: 404 when ``METRICS_TOKEN`` is empty (the endpoint is off), 403
    ``permission_denied`` without it or with another. One query a scrape."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    extra_error_statuses = (403, 404)

    @extend_schema(responses={(200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="Prometheus text")})
    def get(self, request: Request) -> HttpResponse:
        from shared_apps.superadmin.metrics import exposition

        expected = str(settings.METRICS_TOKEN)
        if not expected:
            raise NotFound("Metrics are not enabled here.")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise PermissionDenied("A valid metrics token is required.")
        return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
