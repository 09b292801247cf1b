"""Writing the audit log. Every service that changes state calls ``audit_record``."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from tenant_apps.audit.context import client_ip, impersonator
from tenant_apps.audit.models import AuditLogEntry


def audit_record(
    *,
    actor: Any,
    verb: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_repr: str | None = None,
) -> AuditLogEntry:
    """Append one audit row: ``actor`` (a user, or ``None`` for the system) did ``verb`` to ``target``.

    ``verb`` is a dotted name (``"ticket.assigned"``); ``changes`` a JSON-serialisable dict;
    ``ip`` defaults to the current request's client IP. Call it inside the service's
    transaction so the row exists exactly when the change does. ``actor_repr`` names an actor
    that is not a user of the site (a platform staff member's e-mail). During a request made with
    an impersonation token, ``changes["impersonator"]`` is the staff member (``{"email", "id"}``).
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    acting_for = impersonator()
    if acting_for is not None:
        changes = {**(changes or {}), "impersonator": acting_for}
    return AuditLogEntry.objects.create(
        actor=user,
        actor_repr=actor_repr if actor_repr is not None else str(getattr(user, "email", "") or ""),
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        changes=changes or {},
        ip=ip if ip is not None else client_ip(),
    )
