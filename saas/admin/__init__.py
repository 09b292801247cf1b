"""The admin sites: one per tenant kind on every tenant host (``/admin/``), one for platform staff.

App code registers its models with ``register`` (never ``django.contrib.admin.site``), subclasses
``ServiceModelAdmin`` and writes actions with ``service_action``; see ``sites.py`` and
``options.py``.
"""

from saas.admin.options import ServiceModelAdmin, service_action
from saas.admin.sites import PlatformAdminSite, TenantAdminSite, platform_admin_site, register, tenant_admin_site

__all__ = [
    "PlatformAdminSite",
    "ServiceModelAdmin",
    "TenantAdminSite",
    "platform_admin_site",
    "register",
    "service_action",
    "tenant_admin_site",
]
