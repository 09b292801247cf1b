"""Audit log rows, made by ``audit.services.audit_record``."""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.audit.services import audit_record
from tests.factories.base import ServiceFactory


class AuditLogEntryFactory(ServiceFactory[AuditLogEntry]):
    """``actor`` (default ``None``: the system) did ``verb`` to ``target`` (optional), appended by
    ``audit_record``: the readable names of actor and target are copied, ``ip`` defaults to the
    current request's client IP (none outside a request).
    """

    class Meta:
        model = AuditLogEntry

    actor = None
    verb = factory.Sequence(lambda n: f"test.event_{n}")
    target = None
    changes: dict[str, Any] | None = None
    ip: str | None = None

    @classmethod
    def _create(cls, model_class: type[AuditLogEntry], *args: Any, **kwargs: Any) -> AuditLogEntry:
        return audit_record(**kwargs)
