"""The rental site-settings API.

| method and path | who | does |
| --- | --- | --- |
| ``GET``/``PATCH /rental/settings/`` | admin | read, change commission, report hour, time zone |
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_apps.accounts.permissions import Allows
from tenant_apps.rental.site import services
from tenant_apps.rental.site.access import can_manage_rental_settings
from tenant_apps.rental.site.serializers import RentalSettingsSerializer, RentalSettingsUpdateSerializer


class RentalSettingsView(APIView):
    """``GET /api/v1/rental/settings/`` and ``PATCH`` (admin; 401 anonymous, 403 other roles)."""

    permission_classes = [IsAuthenticated, Allows(can_manage_rental_settings)]  # type: ignore[list-item]

    @extend_schema(responses=RentalSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(RentalSettingsSerializer(services.rental_settings()).data)

    @extend_schema(request=RentalSettingsUpdateSerializer, responses=RentalSettingsSerializer)
    def patch(self, request: Request) -> Response:
        serializer = RentalSettingsUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        row = services.rental_settings_update(actor=request.user, changes=dict(serializer.validated_data))
        return Response(RentalSettingsSerializer(row).data)
