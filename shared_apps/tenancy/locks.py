"""Row and advisory locks of the platform tables (public schema); see docs/architecture.md for the order.

Custom domains: ``domain_name_lock`` (one host name, across tenants), then ``custom_domain_lock``
(one tenant's row of it); each service takes them in that order and nothing else after.
"""

from __future__ import annotations

from django.db import connection

from shared_apps.tenancy.models import CustomDomain, Tenant


def domain_name_lock(name: str) -> None:
    """Hold the host name ``name`` (normalised) until the transaction ends: a transaction-scoped
    advisory lock, since the row that would hold the name verified may not exist yet.

    Verifying, re-checking and deleting a custom domain take it, so two tenants verifying one
    name at once run one after the other and the second sees the first's claim (409).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"tenancy:domain:{name}"])


def custom_domain_lock(pk: int) -> CustomDomain:
    """The custom domain ``pk`` locked (``SELECT ... FOR NO KEY UPDATE``); raises ``DoesNotExist``."""
    return CustomDomain.objects.select_for_update(no_key=True).get(pk=pk)


def tenant_lock(pk: int) -> Tenant:
    """The tenant ``pk`` locked (``SELECT ... FOR NO KEY UPDATE``): its custom-domain count and its primary
    domain change one request at a time."""
    return Tenant.objects.select_for_update(no_key=True).get(pk=pk)
