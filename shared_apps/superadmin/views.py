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
from saas.errors import PermissionDenied
from shared_apps.superadmin import impersonation
from shared_apps.superadmin.serializers import (
    ImpersonateSerializer,
    ImpersonationEndedSerializer,
    ImpersonationSerializer,
    ImpersonationSessionSerializer,
)
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
