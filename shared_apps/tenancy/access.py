"""Who may see and act on platform rows from a tenant's host: a tenant reaches only its own custom domains.

The role rule (only the tenant's admins manage domains) is the view's ``HasRole(ADMIN)``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from saas.errors import NotFound
from shared_apps.tenancy.models import CustomDomain, Tenant


def custom_domains_visible_to(*, tenant: Tenant) -> QuerySet[CustomDomain]:
    """The custom domains ``tenant`` may see and act on: its own."""
    return CustomDomain.objects.filter(tenant_id=tenant.pk)


def access_custom_domain(*, tenant: Tenant, domain_id: int) -> CustomDomain:
    """``tenant``'s custom domain ``domain_id``; raises ``NotFound`` (404) for another tenant's
    exactly as for a missing one."""
    found = custom_domains_visible_to(tenant=tenant).filter(pk=domain_id).first()
    if found is None:
        raise NotFound("No such custom domain.")
    return found
