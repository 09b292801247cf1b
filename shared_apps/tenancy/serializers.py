"""Serializers of the superadmin tenant API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.tenancy.models import Tenant, TenantKind


class DomainSerializer(serializers.Serializer):
    """A host name a tenant is served on (schema of ``TenantSerializer.domains``)."""

    domain = serializers.CharField(read_only=True)
    is_primary = serializers.BooleanField(read_only=True)


class TenantSerializer(serializers.ModelSerializer):
    """A tenant as platform staff see it."""

    slug = serializers.CharField(source="schema_name", read_only=True)
    domains = serializers.SerializerMethodField()

    class Meta:
        model = Tenant
        fields = ("slug", "name", "kind", "status", "owner_email", "domains", "created_at", "updated_at")
        read_only_fields = fields

    @extend_schema_field(DomainSerializer(many=True))
    def get_domains(self, tenant: Tenant) -> list[dict[str, object]]:
        return [{"domain": d.domain, "is_primary": d.is_primary} for d in tenant.domains.all()]


class TenantCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tenants/``; slug rules are checked by the service."""

    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    kind = serializers.ChoiceField(choices=TenantKind.choices)
    owner_email = serializers.EmailField()
    owner_password = serializers.CharField(required=False, write_only=True, style={"input_type": "password"})


class TenantDropSerializer(serializers.Serializer):
    """Input of ``DELETE /api/v1/tenants/{slug}/``: the slug again, to confirm."""

    confirm_slug = serializers.CharField()
