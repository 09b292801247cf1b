"""Tenants and their domains (public schema)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


def _kind_choices() -> list[tuple[str, tuple[str, str]]]:
    from django.conf import settings

    from tenant_apps.kinds import load_kinds

    return [(name.upper(), (name, spec.label)) for name, spec in load_kinds(settings.TENANT_KINDS).items()]


#: The kind of site a tenant is, one member per kind of ``settings.TENANT_KINDS`` (``TenantKind.SCHOOL``
#: is ``"school"``); each kind declares its apps, URL conf and roles in its ``kind.py``.
TenantKind: Any = models.TextChoices("TenantKind", _kind_choices())  # type: ignore[call-overload]


#: The ``kind`` of the platform itself (the public schema); never a tenant's.
PUBLIC_KIND = "public"


class TenantStatus(models.TextChoices):
    """Lifecycle: provisioning -> active <-> suspended -> archived (-> active again)."""

    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ARCHIVED = "archived", "Archived"


class Tenant(TenantMixin):
    """One website: a row here, a PostgreSQL schema named ``schema_name`` (= the slug).

    Schemas are created by ``shared_apps.tenancy.services.tenant_provision`` (cloned from the
    kind's template schema), never implicitly on ``save()``.

    ``uuid`` is random, made once when the row is created and never reused: tokens are bound to
    it (``tenant_apps/accounts/tokens.py``), so a tenant dropped and provisioned again under the
    same slug does not accept the old tenant's tokens, although its schema name and user ids repeat.
    """

    auto_create_schema = False
    auto_drop_schema = False

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    # No ``choices`` on the column: the kinds come from settings (``TenantKind``), and a new kind
    # must not need a migration here. ``validators.validate_kind`` checks every write.
    kind = models.CharField(max_length=16)
    status = models.CharField(max_length=16, choices=TenantStatus.choices, default=TenantStatus.PROVISIONING)
    owner_email = models.EmailField()
    #: Set while the site is suspended for not paying (``shared_apps/billing``), apart from
    #: ``status``: staff suspending and resuming a site do not touch it, nor a payment ``status``.
    billing_suspended_at = models.DateTimeField(null=True, blank=True)
    #: When staff archived the site, and from when its purge is due (``archived_at`` +
    #: ``TENANT_PURGE_AFTER_DAYS``; ``shared_apps/superadmin/purge.py``). Both aware UTC, both
    #: cleared when the site is resumed; ``None`` unless the status is ``archived``.
    archived_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("schema_name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"

    @property
    def slug(self) -> str:
        """The tenant's slug, which is also its schema name and its sub-domain label."""
        return self.schema_name


class Domain(DomainMixin):
    """A host name that serves a tenant; exactly one per tenant is primary."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("domain",)


class SchemaState(models.Model):
    """What ``migrate_schemas`` last brought one tenant or template schema to (public schema).

    ``migrations`` is the fingerprint of the kind's migrations the schema was last fully migrated
    to, ``applied_count`` and ``applied_max_id`` the number and highest id of the rows of its
    ``django_migrations`` table right after; ``roles`` is the fingerprint of the role declaration
    and models its roles, content types and permissions were last synced with. A schema whose row
    matches today's fingerprints, and whose ``django_migrations`` still has that count and highest
    id, has nothing to do and is skipped (``shared_apps/tenancy/schema_state.py``).

    Keyed by schema name rather than by tenant: templates (``_template_<kind>``) have a state but
    no tenant row. A new tenant starts with a copy of its template's row (its schema is a copy of
    the template's, ``django_migrations`` ids included).
    """

    schema_name = models.CharField(max_length=63, unique=True)
    kind = models.CharField(max_length=16)
    migrations = models.CharField(max_length=64)
    applied_count = models.PositiveIntegerField()
    applied_max_id = models.BigIntegerField()
    roles = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("schema_name",)

    def __str__(self) -> str:
        return f"{self.schema_name} ({self.kind})"


class CustomDomainStatus(models.TextChoices):
    """pending (added, TXT record not seen yet) -> verified <-> flagged (record gone at the last
    daily re-check; the domain still routes)."""

    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    FLAGGED = "flagged", "Flagged"


#: The statuses in which a custom domain routes to its tenant (and holds its name against others).
ROUTED_STATUSES = (CustomDomainStatus.VERIFIED, CustomDomainStatus.FLAGGED)


class CustomDomain(models.Model):
    """A host name of the tenant's own, proven by a DNS TXT record (public schema).

    ``domain`` is normalised (``validators.normalize_domain``). Several tenants may hold one name
    while it is pending; at most one holds it verified or flagged (a partial unique index), and
    that one has a routing ``Domain`` row of the same name (created when it is verified, removed
    with it). ``found`` is what the last DNS check saw: ``{"txt": [...], "error": "..."}``.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="custom_domains")
    domain = models.CharField(max_length=253)
    status = models.CharField(max_length=16, choices=CustomDomainStatus.choices, default=CustomDomainStatus.PENDING)
    verification_token = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    found = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("id",)
        constraints = [
            models.UniqueConstraint(fields=("tenant", "domain"), name="tenancy_customdomain_tenant_domain"),
            models.UniqueConstraint(
                fields=("domain",),
                condition=models.Q(status__in=["verified", "flagged"]),
                name="tenancy_customdomain_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} ({self.status})"
