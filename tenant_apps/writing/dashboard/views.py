"""The writing dashboards API.

| method and path | who | does |
| --- | --- | --- |
| ``GET /dashboard/`` | clients, writers, editors, support, admins | a section per role held (``selectors``) |

Anonymous: 401; a user holding none of those roles: 403 ``permission_denied``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.permissions import Allows
from tenant_apps.writing.dashboard import selectors
from tenant_apps.writing.dashboard.access import can_view_dashboard, ensure_dashboard_roles
from tenant_apps.writing.dashboard.serializers import DashboardSerializer


class DashboardView(APIView):
    """``GET /api/v1/dashboard/``: the caller's dashboard, one section per role they hold
    (``client``, ``writer``, ``editor``, ``support``, ``admin``); each a fixed number of queries."""

    permission_classes = [
        IsAuthenticated,
        Allows(can_view_dashboard, message="Your role has no dashboard."),  # type: ignore[list-item]
    ]

    @extend_schema(responses=DashboardSerializer)
    def get(self, request: Request) -> Response:
        roles = ensure_dashboard_roles(request.user)
        return Response(DashboardSerializer(selectors.dashboard(user=request.user, roles=roles)).data)
