"""Serializers of the superadmin tenant API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shared_apps.billing.serializers import StaffBillingSerializer
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
        fields = (
            "slug",
            "name",
            "kind",
            "status",
            "owner_email",
            "domains",
            "created_at",
            "updated_at",
            "archived_at",
            "purge_after",
        )
        read_only_fields = fields

    @extend_schema_field(DomainSerializer(many=True))
    def get_domains(self, tenant: Tenant) -> list[dict[str, object]]:
        return [{"domain": d.domain, "is_primary": d.is_primary} for d in tenant.domains.all()]


class TenantDetailSerializer(TenantSerializer):
    """A tenant as platform staff see it on its own page: with its billing block."""

    billing = serializers.SerializerMethodField()

    class Meta(TenantSerializer.Meta):
        fields = (*TenantSerializer.Meta.fields, "billing")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]

    @extend_schema_field(StaffBillingSerializer(allow_null=True))
    def get_billing(self, tenant: Tenant) -> dict[str, Any] | None:
        from shared_apps.billing.overview import staff_billing_of

        return staff_billing_of(tenant)


class TenantCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/tenants/``; slug rules are checked by the service."""

    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    kind = serializers.ChoiceField(choices=TenantKind.choices)
    owner_email = serializers.EmailField()
    owner_password = serializers.CharField(required=False, write_only=True, style={"input_type": "password"})
    plan = serializers.CharField(
        required=False, max_length=50, help_text="A plan code; default BILLING_DEFAULT_PLAN (400 when unknown)."
    )


class TenantDropSerializer(serializers.Serializer):
    """Input of ``DELETE /api/v1/tenants/{slug}/``: the slug again, to confirm."""

    confirm_slug = serializers.CharField()


class VerificationRecordSerializer(serializers.Serializer):
    """The DNS record that proves a custom domain: ``TXT _saas-challenge.<domain> <token>``."""

    type = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)


class FoundSerializer(serializers.Serializer):
    """What the last DNS check saw: the TXT strings, and ``error`` ("" when the name answered;
    ``nxdomain``, ``no_answer``, ``timeout`` or ``servfail``)."""

    txt = serializers.ListField(child=serializers.CharField(), read_only=True)
    error = serializers.CharField(read_only=True)


class CustomDomainSerializer(serializers.Serializer):
    """A tenant's custom domain as its admins see it; ``context["primary"]`` is the set of the
    tenant's primary host names and ``context["cname_target"]`` its platform host."""

    id = serializers.IntegerField(read_only=True)
    domain = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=("pending", "verified", "flagged"), read_only=True)
    is_primary = serializers.SerializerMethodField()
    verification_record = serializers.SerializerMethodField()
    cname_target = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_checked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    found = serializers.SerializerMethodField()

    def get_is_primary(self, custom: Any) -> bool:
        return bool(custom.domain in self.context.get("primary", set()))

    @extend_schema_field(VerificationRecordSerializer)
    def get_verification_record(self, custom: Any) -> dict[str, str]:
        from shared_apps.tenancy.domains import challenge_name

        return {"type": "TXT", "name": challenge_name(custom.domain), "value": custom.verification_token}

    def get_cname_target(self, custom: Any) -> str:
        return str(self.context["cname_target"])

    @extend_schema_field(FoundSerializer(allow_null=True))
    def get_found(self, custom: Any) -> dict[str, Any] | None:
        return dict(custom.found) if custom.found else None


class CustomDomainCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/domains/``: the host name (normalised and checked by the service)."""

    domain = serializers.CharField(max_length=300)


class PrimaryHostSerializer(serializers.Serializer):
    """The tenant's primary host after ``POST /api/v1/domains/platform/make-primary/``."""

    primary = serializers.CharField(read_only=True)


class TlsAskQuerySerializer(serializers.Serializer):
    """Query of ``GET /api/v1/tls/ask/``: the name a TLS edge wants a certificate for, and the
    shared token when ``TLS_ASK_TOKEN`` is set."""

    domain = serializers.CharField(max_length=300)
    token = serializers.CharField(required=False, allow_blank=True, max_length=300, trim_whitespace=False)


class TlsAskSerializer(serializers.Serializer):
    """The answer of ``GET /api/v1/tls/ask/`` when the name is served here."""

    domain = serializers.CharField(read_only=True)
