"""Superadmin API on the platform host: ``/api/v1/tenants/``."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.permissions import IsPlatformStaff
from saas.api.views import VisibleQuerysetMixin
from shared_apps.tenancy import selectors, services
from shared_apps.tenancy.serializers import TenantCreateSerializer, TenantDropSerializer, TenantSerializer


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
        tenant = services.tenant_transition(tenant=self.get_object(), action=action_name)
        return Response(TenantSerializer(tenant).data)

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
