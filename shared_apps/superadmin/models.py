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


class TenantHealth(models.Model):
    """The latest usage snapshot of one tenant, written by the collection
    (``shared_apps/superadmin/usage.py`` ``usage_collect``, every ``USAGE_COLLECT_SECONDS`` by beat,
    or ``manage.py collect_tenant_usage``). The staff list, the console and ``/api/v1/metrics/``
    read these rows only: no tenant schema is queried at request time.

    * ``users``: accounts of the site (active or not); ``active_users_30d``: distinct users who
      made an authenticated request in the last 30 days (a HyperLogLog per day in Redis, about 1%
      off; without Redis, the users whose last sign-in is within 30 days);
    * ``db_bytes``: the size of the tenant's schema (tables, indexes, TOAST), in bytes;
      ``file_bytes``: the files uploaded to the site (``files.StoredFile.size``), in bytes;
    * ``requests_24h`` / ``errors_24h``: requests served on the site's hosts, and those answered
      with a 5xx, in the current hour and the 23 before it (from ``TenantRequestHour``);
    * ``last_activity``: latest sign-in or audited change (aware UTC), ``None`` if none yet;
    * ``open_tickets``: support tickets ``open`` or ``answered`` (not ``closed``);
    * ``collected_at``: when these figures were read.
    """

    tenant = models.OneToOneField("tenancy.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="health")
    users = models.PositiveIntegerField(default=0)
    active_users_30d = models.PositiveIntegerField(default=0)
    db_bytes = models.BigIntegerField(default=0)
    file_bytes = models.BigIntegerField(default=0)
    requests_24h = models.BigIntegerField(default=0)
    errors_24h = models.BigIntegerField(default=0)
    last_activity = models.DateTimeField(null=True, blank=True)
    open_tickets = models.PositiveIntegerField(default=0)
    collected_at = models.DateTimeField()

    class Meta:
        verbose_name = "tenant health"
        verbose_name_plural = "tenant health"
        ordering = ("-requests_24h", "tenant_id")

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.requests_24h} requests, {self.errors_24h} errors in 24 h"


class TenantRequestHour(models.Model):
    """Requests and 5xx answers of one tenant in one clock hour (``hour``: aware UTC, minutes
    zero), so the 24-hour sums survive a Redis restart. With Redis the middleware counts in Redis
    and the collection copies each hour here (the larger of the two values wins, so a Redis that
    restarted mid-hour never lowers a stored count); without Redis the middleware adds to these
    rows directly. Rows older than ``USAGE_HOURS_KEPT`` hours are deleted by the collection."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="request_hours")
    hour = models.DateTimeField()
    requests = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)

    class Meta:
        ordering = ("tenant_id", "hour")
        constraints = [models.UniqueConstraint(fields=("tenant", "hour"), name="tenant_request_hour_unique")]
        indexes = [models.Index(fields=("hour",), name="tenant_request_hour_hour")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.hour:%Y-%m-%d %H}h: {self.requests} requests, {self.errors} errors"
