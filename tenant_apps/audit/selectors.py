"""Reads on the audit log, scoped by ``access.audit_entries_visible_to``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from tenant_apps.audit.access import audit_entries_visible_to
from tenant_apps.audit.models import AuditLogEntry


def audit_entries(
    *,
    user: Any,
    actor_id: int | None = None,
    verb: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditLogEntry]:
    """The entries ``user`` may read (``access.audit_entries_visible_to``), newest first, filtered by
    actor, verb (prefix: ``ticket.`` matches every ticket verb), target (``app_label.model`` and id)
    and a ``[since, until)`` time range (aware, UTC)."""
    entries = audit_entries_visible_to(user).select_related("target_type")
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if verb:
        entries = entries.filter(verb__startswith=verb) if verb.endswith(".") else entries.filter(verb=verb)
    if target_type:
        app_label, _, model = target_type.partition(".")
        entries = entries.filter(target_type__app_label=app_label, target_type__model=model)
    if target_id:
        entries = entries.filter(target_id=target_id)
    if since:
        entries = entries.filter(created_at__gte=since)
    if until:
        entries = entries.filter(created_at__lt=until)
    return entries
