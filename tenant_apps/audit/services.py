"""Writing the audit log. Every service that changes state calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from tenant_apps.audit.context import client_ip
from tenant_apps.audit.models import AuditLogEntry


def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLogEntry:
    """Append one audit row: ``actor`` (a user, or ``None`` for the system) did ``verb`` to ``target``.

    ``verb`` is a dotted name (``"ticket.assigned"``); ``changes`` a JSON-serialisable dict;
    ``ip`` defaults to the current request's client IP. Call it inside the service's
    transaction so the row exists exactly when the change does.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditLogEntry.objects.create(
        actor=user,
        actor_repr=str(getattr(user, "email", "") or ""),
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
        ip=ip if ip is not None else client_ip(),
    )
