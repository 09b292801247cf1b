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
    ended_at = serializers.DateTimeField(
        allow_null=True, help_text="When it was ended early; null: it ran (runs) to expiry."
    )
    requests = serializers.IntegerField()


class ImpersonationEndedSerializer(serializers.Serializer):
    """An impersonation session ended early: its ``session`` (token id) and when (``ended_at``, UTC)."""

    session = serializers.CharField()
    ended_at = serializers.DateTimeField()


class _JobSerializer(serializers.Serializer):
    """What an export and an import job show: state, progress (0-100), step, error, who, when."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    step = serializers.CharField()
    error_code = serializers.CharField()
    error = serializers.CharField()
    requested_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_requested_by(self, job: Any) -> str:
        return str(getattr(job.requested_by, "email", "") or "")


class TenantExportSerializer(_JobSerializer):
    """A tenant export job; once ``done``: the archive's ``size`` (bytes), ``sha256`` and where
    staff download it (``download``, a path on the platform host)."""

    tenant_slug = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    download = serializers.SerializerMethodField()

    def get_download(self, job: Any) -> str | None:
        return f"/api/v1/tenant-exports/{job.pk}/download/" if job.status == "done" else None


class TenantImportSerializer(_JobSerializer):
    """A tenant import job; once ``done``, ``tenant`` is the restored tenant's slug."""

    slug = serializers.CharField()
    export = serializers.IntegerField(source="export_id", allow_null=True)
    tenant = serializers.SerializerMethodField()

    def get_tenant(self, job: Any) -> str | None:
        return job.slug if job.tenant_id else None


class TenantImportRequestSerializer(serializers.Serializer):
    """``POST /api/v1/tenant-imports/``: the new tenant's ``slug`` and the archive: an uploaded
    ``archive`` (multipart) or a finished ``export``'s id, exactly one of the two."""

    slug = serializers.CharField(max_length=63)
    archive = serializers.FileField(required=False, allow_empty_file=False)
    export = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("archive" in attrs) == ("export" in attrs):
            raise serializers.ValidationError({"archive": ["Give either an archive file or an export id."]})
        return attrs


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
