"""The platform's own audit log (public schema): what platform staff and the platform's jobs did to
tenants (impersonation started, a tenant archived, purged, exported, restored...)."""

from __future__ import annotations

from django.conf import settings
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


class PortabilityJobStatus(models.TextChoices):
    """A tenant export's or import's lifecycle: queued -> running -> done | failed."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PortabilityJob(models.Model):
    """What an export and an import job share: who asked, how far it got (``progress`` 0-100 and
    the current ``step``), how it ended (``error_code`` and ``error``: an ``ErrorCode`` and its
    message when ``failed``), and when. Updated by the job itself (``portability/jobs.py``)."""

    status = models.CharField(max_length=16, choices=PortabilityJobStatus.choices, default=PortabilityJobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent, 0 to 100.")
    step = models.CharField(max_length=40, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")


class TenantExport(PortabilityJob):
    """One export of a tenant (``portability/export.py``): the archive, once ``done``, is the
    default storage's ``archive_key`` (``_platform/exports/<slug>/<id>.tar``), ``size`` bytes with
    sha256 ``sha256``. ``tenant_slug`` is copied: the export outlives its tenant (that is its point)."""

    tenant = models.ForeignKey(
        "tenancy.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    tenant_slug = models.CharField(max_length=63, db_index=True)
    archive_key = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta(PortabilityJob.Meta):
        pass

    def __str__(self) -> str:
        return f"export {self.pk} of {self.tenant_slug} ({self.status})"


class TenantImport(PortabilityJob):
    """One import of an archive as tenant ``slug`` (``portability/restore.py``): the archive is the
    default storage's ``archive_key`` (an upload under ``_platform/imports/``, or an export's);
    ``tenant`` is the restored tenant once ``done``."""

    slug = models.CharField(max_length=63)
    export = models.ForeignKey(TenantExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    archive_key = models.CharField(max_length=300)
    tenant = models.ForeignKey(
        "tenancy.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )

    class Meta(PortabilityJob.Meta):
        pass

    def __str__(self) -> str:
        return f"import {self.pk} as {self.slug} ({self.status})"


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
