"""Reads on tenants (public schema), and a tenant's usage read inside its schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet, Sum

from saas.db.tenant import in_tenant
from shared_apps.tenancy.models import PUBLIC_KIND, ROUTED_STATUSES, CustomDomain, Tenant


def tenant_list() -> QuerySet[Tenant]:
    """Every tenant (not the platform row, if one exists), with domains prefetched."""
    return Tenant.objects.exclude(kind=PUBLIC_KIND).prefetch_related("domains").order_by("schema_name")


def custom_domain_list(*, tenant: Tenant) -> QuerySet[CustomDomain]:
    """The custom domains of ``tenant`` (any status), oldest first."""
    return CustomDomain.objects.filter(tenant=tenant).order_by("id")


def custom_domain_names(*, tenant: Tenant) -> list[str]:
    """The names of ``tenant``'s custom domains (any status), read now (one query)."""
    return list(CustomDomain.objects.filter(tenant=tenant).order_by("id").values_list("domain", flat=True))


def domain_holder(*, name: str) -> CustomDomain | None:
    """The custom domain that holds ``name`` verified or flagged (routed), of whichever tenant, or ``None``."""
    return CustomDomain.objects.filter(domain=name, status__in=ROUTED_STATUSES).select_related("tenant").first()


def routed_custom_domains() -> QuerySet[CustomDomain]:
    """Every verified or flagged custom domain, with its tenant (the daily re-check's list)."""
    return CustomDomain.objects.filter(status__in=ROUTED_STATUSES).select_related("tenant").order_by("id")


@dataclass(frozen=True)
class TenantUsage:
    """What one tenant uses, as the platform console shows it.

    * ``users``: accounts in the tenant's schema (active or not);
    * ``active_users``: of those, the ones that may sign in (``is_active``);
    * ``storage_bytes``: the bytes of the files uploaded to the site (``files.StoredFile.size``:
      ticket attachments, payment receipts, order files...), in bytes; avatars are not counted
      (their size is not stored, and asking the storage for each one is a request per file);
    * ``last_activity``: the latest of the users' last sign-in (``last_login``, API or admin) and
      the audit log's newest entry (every change made through a service), an aware datetime in
      UTC; ``None`` for a site nobody has signed in to or changed.
    """

    users: int
    active_users: int
    storage_bytes: int
    last_activity: datetime | None


def tenant_usage(tenant: Tenant) -> TenantUsage:
    """The usage of ``tenant`` (see ``TenantUsage`` for each figure and its unit), read in its schema.

    Three queries whatever the size of the site (users and their last sign-in in one aggregate,
    the files' total size in one, the newest audit entry through its index), plus the switch of
    schema and back; the connection serves the schema it served before when this returns.
    Reads only: raises nothing of its own (a tenant whose schema is gone raises the database's
    error).
    """
    from tenant_apps.accounts.models import User
    from tenant_apps.audit.models import AuditLogEntry
    from tenant_apps.files.models import StoredFile

    with in_tenant(tenant):
        people = User.objects.aggregate(
            users=Count("pk"), active_users=Count("pk", filter=Q(is_active=True)), last_login=Max("last_login")
        )
        storage = StoredFile.objects.aggregate(total=Sum("size"))["total"] or 0
        last_change = AuditLogEntry.objects.order_by("-created_at", "-id").values_list("created_at", flat=True).first()
    moments = [moment for moment in (people["last_login"], last_change) if moment is not None]
    return TenantUsage(
        users=people["users"],
        active_users=people["active_users"],
        storage_bytes=int(storage),
        last_activity=max(moments) if moments else None,
    )
