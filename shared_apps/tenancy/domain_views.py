"""Custom domains on a tenant's host: ``/api/v1/domains/`` (the tenant's admins only).

Thin views over ``shared_apps.tenancy.domains``: the tenant is the one serving the request
(``saas.db.tenant.current_tenant()``); the public tables are reached through the tenant
connection's ``search_path`` (which ends with ``public``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from saas.api.views import VisibleQuerysetMixin
from saas.db.tenant import current_tenant
from shared_apps.tenancy import domains
from shared_apps.tenancy.access import custom_domains_visible_to
from shared_apps.tenancy.hosts import tenant_host
from shared_apps.tenancy.models import CustomDomain
from shared_apps.tenancy.serializers import (
    CustomDomainCreateSerializer,
    CustomDomainSerializer,
    PrimaryHostSerializer,
)
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.kinds import ADMIN


class CustomDomainViewSet(
    VisibleQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Add, list, verify, make primary and delete the site's custom domains.

    ``POST`` answers the TXT record to publish (``verification_record``) and the CNAME target
    (the site's platform host); ``verify/`` looks the record up (409 ``domain_not_verified`` with
    what it found); ``make-primary/`` makes links in e-mails use the domain;
    ``platform/make-primary/`` gives that role back to the platform host.
    """

    # HasRole instances stand in for classes (DRF calls them); the stubs only know classes.
    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]
    serializer_class = CustomDomainSerializer

    def visible_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no tenant is served
            return CustomDomain.objects.none()
        return custom_domains_visible_to(tenant=current_tenant()).order_by("id")

    def get_serializer_context(self) -> dict[str, Any]:
        tenant = current_tenant()
        return {
            **super().get_serializer_context(),
            "primary": domains.primary_domains(tenant=tenant),
            "cname_target": tenant_host(tenant.schema_name),
        }

    def _answer(self, custom: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(custom).data, status=status_code)

    @extend_schema(request=CustomDomainCreateSerializer, responses={201: CustomDomainSerializer})
    def create(self, request: Request) -> Response:
        serializer = CustomDomainCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        custom = domains.custom_domain_add(tenant=current_tenant(), domain=serializer.validated_data["domain"])
        return self._answer(custom, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        domains.custom_domain_delete(tenant=current_tenant(), domain_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=CustomDomainSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str | None = None) -> Response:
        """Look the TXT record up; verified, or 409 ``domain_not_verified`` saying what was found."""
        custom = domains.custom_domain_verify(tenant=current_tenant(), domain_id=self.get_object().pk)
        return self._answer(custom)

    @extend_schema(request=None, responses=CustomDomainSerializer)
    @action(detail=True, methods=["post"], url_path="make-primary")
    def make_primary(self, request: Request, pk: str | None = None) -> Response:
        """Links the platform hands out (e-mails) name this domain from now on."""
        custom = domains.custom_domain_make_primary(tenant=current_tenant(), domain_id=self.get_object().pk)
        return self._answer(custom)

    @extend_schema(request=None, responses=PrimaryHostSerializer)
    @action(detail=False, methods=["post"], url_path="platform/make-primary")
    def platform_make_primary(self, request: Request) -> Response:
        """Make the platform host (``<slug>.<PLATFORM_DOMAIN>``) the primary domain again."""
        host = domains.platform_host_make_primary(tenant=current_tenant())
        return Response(PrimaryHostSerializer({"primary": host}).data)
