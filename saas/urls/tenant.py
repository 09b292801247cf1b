"""Patterns every tenant kind serves; each kind's URL conf adds its own apps' patterns."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from saas.admin import tenant_admin_site
from saas.urls.common import catch_all, docs_urls, tenant_auth_urls
from tenant_apps.accounts.views import SiteView, UserViewSet

#: Shared-service apps whose ``urls.py`` every kind serves under ``/api/v1/``.
SHARED_SERVICE_APPS = ("audit", "emails", "files", "notifications", "tickets", "payments", "wallet")


def _kind_of(urlconf: str) -> str | None:
    for kind, spec in settings.TENANT_TYPES.items():
        if spec["URLCONF"] == urlconf and kind != settings.PUBLIC_SCHEMA_NAME:
            return str(kind)
    return None


def tenant_urlpatterns(urlconf: str, kind_patterns: list[Any]) -> list[Any]:
    """The full pattern list of a kind: shared endpoints, the kind's, the kind's admin site at
    ``/admin/`` (``saas.admin``), docs, catch-all."""
    kind = _kind_of(urlconf)
    admin_urls = [path("admin/", tenant_admin_site(kind).urls)] if kind is not None else []
    router = SimpleRouter(use_regex_path=False)
    router.register("users", UserViewSet, basename="user")
    return [
        path("api/v1/auth/", include(tenant_auth_urls())),
        path("api/v1/site/", SiteView.as_view(), name="site"),
        path("api/v1/", include(router.urls)),
        *[path("api/v1/", include(f"tenant_apps.{app}.urls")) for app in SHARED_SERVICE_APPS],
        path("api/v1/", include("shared_apps.tenancy.domain_urls")),
        path("api/v1/", include("shared_apps.billing.tenant_urls")),
        path("api/v1/", include("shared_apps.billing.connect_tenant_urls")),
        path("api/v1/", include("shared_apps.superadmin.tenant_urls")),
        *kind_patterns,
        *admin_urls,
        *docs_urls(urlconf),
        *catch_all(),
    ]
