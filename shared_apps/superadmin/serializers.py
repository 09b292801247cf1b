"""Serializers of the superadmin API (impersonation)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shared_apps.billing.serializers import UsageSerializer


class ImpersonateSerializer(serializers.Serializer):
    """``POST /api/v1/tenants/{slug}/impersonate/``: the user (``user_id`` or ``email``, one of the
    two) and why (``reason``, 3 to 500 characters, kept in both audit logs)."""

    user_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    email = serializers.EmailField(required=False)
    reason = serializers.CharField(min_length=3, max_length=500)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("user_id" in attrs) == ("email" in attrs):
            raise serializers.ValidationError({"user_id": ["Give either user_id or email."]})
        return attrs


class ImpersonatedUserSerializer(serializers.Serializer):
    """The impersonated user."""

    id = serializers.IntegerField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())


class ImpersonationSerializer(serializers.Serializer):
    """The answer: an access token (no refresh token), when it expires (UTC), and the user."""

    access = serializers.CharField()
    expires_at = serializers.DateTimeField()
    user = ImpersonatedUserSerializer()


class ImpersonationSessionSerializer(serializers.Serializer):
    """One impersonation session of the site, from its audit log (``impersonation.started``)."""

    session = serializers.CharField()
    started_at = serializers.DateTimeField()
    staff_email = serializers.EmailField()
    reason = serializers.CharField()
    user_id = serializers.CharField()
    user = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)
    requests = serializers.IntegerField()


class TenantUsageSerializer(serializers.Serializer):
    """One tenant's figures, from its latest snapshot (``shared_apps/superadmin/usage.py``): zeros and
    ``collected_at`` null before its first collection. Bytes are bytes; ``requests_24h`` and
    ``errors_24h`` (5xx answers) count the current hour and the 23 before it."""

    slug = serializers.CharField(source="schema_name")
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    plan = serializers.CharField(allow_null=True)
    billing_status = serializers.CharField(allow_null=True)
    users = serializers.IntegerField()
    active_users_30d = serializers.IntegerField()
    db_bytes = serializers.IntegerField()
    file_bytes = serializers.IntegerField()
    requests_24h = serializers.IntegerField()
    errors_24h = serializers.IntegerField()
    open_tickets = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)
    collected_at = serializers.DateTimeField(allow_null=True)


class HourCountSerializer(serializers.Serializer):
    """Requests and 5xx answers in one hour (``hour``: its start, UTC)."""

    hour = serializers.DateTimeField()
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()  # type: ignore[assignment]  # DRF pops declared fields


class TenantUsageDetailSerializer(TenantUsageSerializer):
    """``GET /api/v1/tenants/{slug}/usage/``: the snapshot, the live hourly series of the last 24
    hours (oldest first, every hour present), and the plan's limits against usage read now."""

    hours = HourCountSerializer(many=True)
    limits = UsageSerializer(many=True)
