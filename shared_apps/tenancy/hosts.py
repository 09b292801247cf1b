"""Host name -> tenant resolution, and tenant -> primary host, cached so steady-state requests
cost no database query.

Entries live in the ``platform`` cache (not tenant-prefixed). They are dropped when a tenant or
one of its domains changes (immediately and again after commit, so a concurrent request cannot
re-cache the old row between the two), and expire after ``TENANT_CACHE_TTL`` seconds in any
case. Unknown hosts are cached too, for a shorter time, so a scanner cannot make every request
a query. With the local-memory cache (no ``REDIS_URL``) invalidation reaches only the current
process; production runs with Redis.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

from saas.db.tenant import use_public_schema
from shared_apps.tenancy.models import PUBLIC_KIND, Domain, Tenant, TenantStatus

_MISSING = "__no_tenant__"
_MISSING_TTL = 30


def _key(host: str) -> str:
    return f"tenancy:host:{host}"


def _primary_key(schema_name: str) -> str:
    return f"tenancy:primary:{schema_name}"


def tenant_host(slug: str) -> str:
    """The platform host name of a tenant: ``<slug>.<PLATFORM_DOMAIN>``."""
    return f"{slug}.{settings.PLATFORM_DOMAIN}"


def platform_tenant() -> Tenant:
    """The platform itself (public schema) as an unsaved ``Tenant``; it needs no database row."""
    return Tenant(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        name="Platform",
        kind=PUBLIC_KIND,
        status=TenantStatus.ACTIVE,
        owner_email=settings.DEFAULT_FROM_EMAIL,
    )


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant serving ``host`` (lower-case, no port), or ``None``.

    ``PLATFORM_DOMAIN`` resolves to ``platform_tenant()``. Runs one query on a cache miss
    (and leaves the connection on the public schema then), none on a hit.
    """
    if host == settings.PLATFORM_DOMAIN:
        return platform_tenant()
    cache = caches["platform"]
    cached = cache.get(_key(host))
    if cached == _MISSING:
        return None
    if cached is not None:
        return cached
    use_public_schema()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    if domain is None:
        cache.set(_key(host), _MISSING, _MISSING_TTL)
        return None
    cache.set(_key(host), domain.tenant, settings.TENANT_CACHE_TTL)
    return domain.tenant


def primary_host(schema_name: str) -> str:
    """The host name links to the tenant ``schema_name`` use: its primary ``Domain``.

    ``PLATFORM_DOMAIN`` for the public schema; ``<slug>.<PLATFORM_DOMAIN>`` for a tenant without
    a primary domain (none exists yet). Cached like the host lookups: one query on a cache miss,
    none on a hit; the entry is dropped whenever the tenant or one of its domains changes
    (``forget_hosts``). The query reads the public table through the ``search_path``, so it
    leaves the connection on whatever schema it serves.
    """
    if schema_name == settings.PUBLIC_SCHEMA_NAME:
        return str(settings.PLATFORM_DOMAIN)
    cache = caches["platform"]
    key = _primary_key(schema_name)
    host = cache.get(key)
    if host is None:
        host = (
            Domain.objects.filter(tenant__schema_name=schema_name, is_primary=True)
            .values_list("domain", flat=True)
            .first()
        ) or tenant_host(schema_name)
        cache.set(key, host, settings.TENANT_CACHE_TTL)
    return str(host)


def forget_hosts(hosts: Iterable[str], *, schema_names: Iterable[str] = ()) -> None:
    """Drop cached lookups for ``hosts`` (host -> tenant) and ``schema_names`` (tenant ->
    primary host) now and once more when the current transaction commits."""
    keys = [_key(h) for h in hosts] + [_primary_key(s) for s in schema_names]
    if not keys:
        return
    cache = caches["platform"]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
