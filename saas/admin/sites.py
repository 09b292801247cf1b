"""Admin sites per kind and for the platform, and where a model's admin is registered.

Django's admin is one ``AdminSite`` with one registry for the whole process; here every tenant
kind has its own site, so a school's admin shows the school's models and the shared services,
never a store's (the apps of every kind are installed in one process). ``register`` picks the
sites from the model's app:

* an app every tenant schema has (``settings.TENANT_COMMON_APPS``: accounts and the shared
  services): the site of every kind;
* an app of one kind (``KindSpec.apps``): that kind's site;
* an app of the public schema only (``shared_apps``): the platform console.

Who may sign in: on a tenant host, an active user holding the kind's ``admin`` role
(``tenant_apps.kinds.ADMIN``); on the platform host, an active ``is_staff`` user of the public
schema (as ``saas.api.permissions.IsPlatformStaff``). Both sign in with e-mail and password
through a session (CSRF-protected), throttled with the API's login budget (``forms.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from saas.admin.forms import PlatformAuthenticationForm, TenantAuthenticationForm, throttled_login


class _SignInSite(admin.AdminSite):
    """What both sites share: the throttled e-mail sign-in and no "view site" link."""

    site_url = None  # the sites are APIs: there is no public page to link to
    enable_nav_sidebar = True

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Django's admin login, refused with 429 once the address or the client IP is over the
        API login's budget (``AUTH_THROTTLE_RATES`` ``login_address`` / ``login_ip``)."""
        refused = throttled_login(request, self)
        if refused is not None:
            return refused
        return super().login(request, extra_context)

    def password_change(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """Not here: a password changes through the API (``POST /api/v1/auth/password/change/``),
        which asks for the old one under its own throttle; a second, unthrottled door in the
        admin would undo that. Answers the JSON 404."""
        raise Http404("Passwords change through the API.")

    def password_change_done(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        raise Http404("Passwords change through the API.")


class TenantAdminSite(_SignInSite):
    """The admin of one kind's sites, at ``/admin/`` on each of their hosts (custom domains too).

    Only users with the ``admin`` role get in; every model admin is a ``ServiceModelAdmin``, whose
    changes go through the apps' services and are audited.
    """

    login_form = TenantAuthenticationForm

    def __init__(self, kind: str) -> None:
        super().__init__(name=f"admin_{kind}")
        self.kind = kind

    def has_permission(self, request: HttpRequest) -> bool:
        from tenant_apps.accounts.permissions import user_has_role
        from tenant_apps.kinds import ADMIN

        user = request.user
        return bool(user.is_active and user.is_authenticated and user_has_role(user, ADMIN))

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        from saas.db.tenant import current_tenant

        context = super().each_context(request)
        tenant = current_tenant()
        name = getattr(tenant, "name", "") or self.kind
        context.update(site_header=f"{name} administration", site_title=name, index_title="Site administration")
        return context


class PlatformAdminSite(_SignInSite):
    """The platform console at ``/admin/`` on ``PLATFORM_DOMAIN``: tenants, domains, usage."""

    login_form = PlatformAuthenticationForm
    site_header = "Platform console"
    site_title = "Platform console"
    index_title = "Tenants and domains"

    def has_permission(self, request: HttpRequest) -> bool:
        from saas.db.tenant import current_schema

        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and user.is_staff
            and current_schema() == settings.PUBLIC_SCHEMA_NAME
        )


_tenant_sites: dict[str, TenantAdminSite] = {}
platform_admin_site = PlatformAdminSite(name="platform_admin")


def tenant_admin_site(kind: str) -> TenantAdminSite:
    """The admin site of ``kind`` (created on first use)."""
    if kind not in _tenant_sites:
        _tenant_sites[kind] = TenantAdminSite(kind)
    return _tenant_sites[kind]


def _sites_for(model: type[Model]) -> list[admin.AdminSite]:
    from django.apps import apps

    app = apps.get_app_config(model._meta.app_label).name
    kinds = [kind for kind in settings.TENANT_TYPES if kind != settings.PUBLIC_SCHEMA_NAME]
    if app in settings.TENANT_COMMON_APPS:
        return [tenant_admin_site(kind) for kind in kinds]
    owners = [kind for kind in kinds if app in settings.TENANT_TYPES[kind]["APPS"]]
    if owners:
        return [tenant_admin_site(kind) for kind in owners]
    if app in settings.TENANT_TYPES[settings.PUBLIC_SCHEMA_NAME]["APPS"]:
        return [platform_admin_site]
    raise LookupError(f"{app} is in no tenant kind and not in the public schema: no admin site shows it")


def register(*models: type[Model]) -> Callable[[type[admin.ModelAdmin[Any]]], type[admin.ModelAdmin[Any]]]:
    """Class decorator: register ``models`` with the admin sites that show their app (see above).

    Raises ``LookupError`` for a model whose app no site shows.
    """

    def decorate(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
        for model in models:
            for site in _sites_for(model):
                site.register(model, admin_class)
        return admin_class

    return decorate
