"""Reads on tenants (public schema)."""

from __future__ import annotations

from django.db.models import QuerySet

from shared_apps.tenancy.models import PUBLIC_KIND, Tenant


def tenant_list() -> QuerySet[Tenant]:
    """Every tenant (not the platform row, if one exists), with domains prefetched."""
    return Tenant.objects.exclude(kind=PUBLIC_KIND).prefetch_related("domains").order_by("schema_name")
