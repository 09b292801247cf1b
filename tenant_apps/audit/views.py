"""``GET /api/v1/audit-log/``: the tenant admin reads who did what."""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from saas.api.errors import ApplicationError
from tenant_apps.accounts.permissions import HasRole
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.audit import selectors
from tenant_apps.audit.models import AuditLogEntry


class AuditLogEntrySerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = AuditLogEntry
        fields = ("id", "created_at", "actor", "verb", "target", "changes", "ip")
        read_only_fields = fields

    def get_actor(self, entry: AuditLogEntry) -> dict[str, Any] | None:
        if not entry.actor_id and not entry.actor_repr:
            return None
        return {"id": entry.actor_id, "email": entry.actor_repr}

    def get_target(self, entry: AuditLogEntry) -> dict[str, Any] | None:
        if entry.target_type is None:
            return None
        return {"type": f"{entry.target_type.app_label}.{entry.target_type.model}", "id": entry.target_id,
                "repr": entry.target_repr}


def _datetime(value: str | None, name: str) -> Any:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None or parsed.tzinfo is None:
        raise ApplicationError(f"{name} must be an ISO 8601 date-time with a time zone.",
                               code="validation_error", details={name: ["Invalid date-time."]})
    return parsed


@extend_schema(parameters=[
    OpenApiParameter("actor", int), OpenApiParameter("verb", str, description='Exact, or a prefix ending in "."'),
    OpenApiParameter("target_type", str, description='"app_label.model"'), OpenApiParameter("target_id", str),
    OpenApiParameter("since", str, description="ISO 8601, inclusive"),
    OpenApiParameter("until", str, description="ISO 8601, exclusive"),
])
class AuditLogViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The site's audit log, newest first (tenant admin only)."""

    permission_classes = [IsAuthenticated, HasRole(ADMIN)]  # type: ignore[list-item]
    serializer_class = AuditLogEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        params = self.request.query_params
        actor = params.get("actor")
        if actor is not None and not actor.isdigit():
            raise ApplicationError("actor must be a user id.", code="validation_error",
                                   details={"actor": ["A whole number."]})
        return selectors.audit_entries(
            actor_id=int(actor) if actor else None, verb=params.get("verb"),
            target_type=params.get("target_type"), target_id=params.get("target_id"),
            since=_datetime(params.get("since"), "since"), until=_datetime(params.get("until"), "until"),
        )
