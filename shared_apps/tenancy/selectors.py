"""Reads on tenants (public schema)."""

from __future__ import annotations

from django.db.models import QuerySet

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
