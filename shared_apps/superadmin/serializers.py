"""Serializers of the superadmin API (impersonation)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


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
