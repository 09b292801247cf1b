"""Writes of the superadmin app (public schema)."""

from __future__ import annotations

from typing import Any

from shared_apps.superadmin.models import PlatformAuditEntry
from shared_apps.tenancy.models import Tenant


def platform_audit_record(
    *, verb: str, actor: Any = None, tenant: Tenant | None = None, details: dict[str, Any] | None = None
) -> PlatformAuditEntry:
    """Append one entry to the platform's audit log: ``verb`` (``"tenant.purged"``,
    ``"impersonation.started"``...), the staff ``actor`` (a platform user, or ``None`` for the
    platform's own jobs), the ``tenant`` it is about (slug and uuid are copied), and JSON ``details``.
    Runs in the caller's transaction, if any: an entry is written with the change it records."""
    return PlatformAuditEntry.objects.create(
        verb=verb,
        actor_email=str(getattr(actor, "email", "") or ""),
        tenant_slug=tenant.schema_name if tenant is not None else "",
        tenant_uuid=tenant.uuid if tenant is not None else None,
        details=details or {},
    )
