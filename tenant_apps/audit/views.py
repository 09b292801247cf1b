"""``GET /api/v1/audit-log/``: the tenant admin reads who did what (filters: ``filters.AuditLogFilter``)."""

from __future__ import annotations

from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from saas.api.views import VisibleQuerysetMixin
from tenant_apps.accounts.permissions import Allows
from tenant_apps.audit import selectors
from tenant_apps.audit.access import can_read_audit_log
from tenant_apps.audit.filters import AuditLogFilter
from tenant_apps.audit.models import AuditLogEntry


class AuditLogEntrySerializer(serializers.ModelSerializer):
    """An entry of ``GET /api/v1/audit-log/``: ``actor`` ``{id, email}``, ``target`` ``{type, id, repr}``
    (either may be ``null``), ``verb``, ``changes``, ``ip``."""

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
        return {
            "type": f"{entry.target_type.app_label}.{entry.target_type.model}",
            "id": entry.target_id,
            "repr": entry.target_repr,
        }


class AuditLogViewSet(VisibleQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The site's audit log, newest first (tenant admin only: ``access.can_read_audit_log``)."""

    permission_classes = [IsAuthenticated, Allows(can_read_audit_log)]  # type: ignore[list-item]
    serializer_class = AuditLogEntrySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditLogFilter

    def visible_queryset(self) -> Any:
        return selectors.audit_entries(user=self.request.user)
