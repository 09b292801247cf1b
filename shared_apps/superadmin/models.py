"""The platform's own audit log (public schema): what platform staff and the platform's jobs did to
tenants (impersonation started, a tenant archived, purged, exported, restored...)."""

from __future__ import annotations

from django.db import models


class PlatformAuditEntry(models.Model):
    """One thing done to the platform or a tenant, by a staff member (``actor_email``; empty for
    the platform's own jobs, such as a scheduled purge) or by the system.

    ``tenant_slug`` and ``tenant_uuid`` are copied, not a foreign key: the record outlives the
    tenant it is about (a purge deletes the tenant row). ``details`` is JSON (a reason, counts,
    the archive's checksum...). Append-only: nothing updates or deletes a row.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_email = models.EmailField(blank=True)
    verb = models.CharField(max_length=100)
    tenant_slug = models.CharField(max_length=63, blank=True, db_index=True)
    tenant_uuid = models.UUIDField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        permissions = (("impersonate_tenant_user", "Can impersonate a tenant's user"),)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.tenant_slug}".strip()
