"""Superadmin API: impersonation (``POST /api/v1/tenants/{slug}/impersonate/`` on the platform
host) and the site's list of impersonation sessions (``GET /api/v1/impersonations/`` on a tenant
host, admins)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from saas.api.permissions import IsPlatformStaff
from saas.api.views import VisibleQuerysetMixin
from shared_apps.superadmin import impersonation
from shared_apps.superadmin.serializers import (
    ImpersonateSerializer,
    ImpersonationSerializer,
    ImpersonationSessionSerializer,
)
from tenant_apps.accounts.permissions import Allows
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
    made. Read from the site's audit log: two queries a page."""

    permission_classes = [IsAuthenticated, Allows(can_read_audit_log)]  # type: ignore[list-item]
    serializer_class = ImpersonationSessionSerializer

    def visible_queryset(self) -> Any:
        """Every impersonation session of the site: its admins (the permission above) see them all."""
        return impersonation.impersonation_sessions()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        entries = list(page if page is not None else self.get_queryset())
        counts = impersonation.request_counts([str(e.changes.get("session", "")) for e in entries])
        rows = [
            {
                "session": str(e.changes.get("session", "")),
                "started_at": e.created_at,
                "staff_email": e.actor_repr,
                "reason": str(e.changes.get("reason", "")),
                "user_id": e.target_id,
                "user": e.target_repr,
                "expires_at": e.changes.get("expires_at"),
                "requests": counts.get(str(e.changes.get("session", "")), 0),
            }
            for e in entries
        ]
        data = ImpersonationSessionSerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
