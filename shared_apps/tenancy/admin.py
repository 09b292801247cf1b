"""The platform console (``/admin/`` on ``PLATFORM_DOMAIN``, for platform staff): tenants and domains.

Tenants are listed with their kind, status and owner, filtered and searched as in the superadmin
API (``views.TenantViewSet``); their status moves only through ``services.tenant_transition``
(suspend, resume, archive: a move the status does not allow is refused with the service's message
and changes nothing), and each move is written to Django's admin log (``LogEntry``, the platform's
own audit: the public schema has no audit log app). A tenant's page is read-only and shows its
domains and its usage (``selectors.tenant_usage``, read in its schema: users, storage, last
activity), computed for that one tenant only; the list links to it rather than reading every
schema. Domains (the routing rows) are read-only: they change with the tenant's services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from saas.admin import ServiceModelAdmin, register, service_action
from shared_apps.tenancy import selectors, services
from shared_apps.tenancy.models import PUBLIC_KIND, CustomDomain, Domain, Tenant, TenantKind
from shared_apps.tenancy.selectors import TenantUsage


class KindFilter(admin.SimpleListFilter):
    """Tenants of one kind (the kinds of ``settings.TENANT_KINDS``; no query to list them)."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in TenantKind.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Tenant]) -> QuerySet[Tenant]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


def _change_url(site_name: str, obj: Tenant | Domain) -> str:
    opts = obj._meta
    return reverse(f"{site_name}:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])


@register(Tenant)
class TenantAdmin(ServiceModelAdmin):
    """Tenants: list (kind, status, owner), filters, search, status actions, a read-only page
    with domains and usage."""

    list_display = ("slug", "name", "kind", "status", "owner_email", "created_at", "primary_domain", "usage_link")
    list_display_links = ("slug", "name")
    list_filter = (KindFilter, "status")
    search_fields = ("name", "schema_name", "owner_email")
    ordering = ("schema_name",)
    actions = ("suspend_tenants", "resume_tenants", "archive_tenants")
    fieldsets = (
        (
            None,
            {"fields": ("schema_name", "name", "kind", "status", "owner_email", "uuid", "created_at", "updated_at")},
        ),
        (
            "Archive",
            {"fields": ("archived_at", "purge_after")},
        ),
        ("Domains", {"fields": ("domain_list",)}),
        ("Usage", {"fields": ("usage_users", "usage_active_users", "usage_storage", "usage_last_activity")}),
    )
    readonly_fields = (
        "archived_at",
        "purge_after",
        "domain_list",
        "usage_users",
        "usage_active_users",
        "usage_storage",
        "usage_last_activity",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        """Every tenant but the platform's own row, domains prefetched (one query for any page)."""
        return selectors.tenant_list()

    # -- list columns ----------------------------------------------------------------------
    @admin.display(description="slug", ordering="schema_name")
    def slug(self, tenant: Tenant) -> str:
        return tenant.schema_name

    @admin.display(description="primary domain")
    def primary_domain(self, tenant: Tenant) -> str:
        return next((d.domain for d in tenant.domains.all() if d.is_primary), "-")

    @admin.display(description="usage")
    def usage_link(self, tenant: Tenant) -> SafeString:
        # Reading usage means visiting the tenant's schema: once, on its page, never per row here.
        return format_html('<a href="{}">users, storage, activity</a>', _change_url(self.admin_site.name, tenant))

    # -- the tenant's page -----------------------------------------------------------------
    @admin.display(description="domains")
    def domain_list(self, tenant: Tenant) -> SafeString:
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a>{}</li>',
            (
                (_change_url(self.admin_site.name, d), d.domain, " (primary)" if d.is_primary else "")
                for d in sorted(tenant.domains.all(), key=lambda d: (not d.is_primary, d.domain))
            ),
        )
        return format_html('<ul class="domains">{}</ul>', rows) if rows else SafeString("-")

    def _usage(self, tenant: Tenant) -> TenantUsage:
        # The page shows four figures; read them once (the same instance renders every field).
        usage = getattr(tenant, "_console_usage", None)
        if usage is None:
            usage = selectors.tenant_usage(tenant)
            tenant._console_usage = usage  # type: ignore[attr-defined]
        return usage

    @admin.display(description="users")
    def usage_users(self, tenant: Tenant) -> int:
        return self._usage(tenant).users

    @admin.display(description="active users")
    def usage_active_users(self, tenant: Tenant) -> int:
        return self._usage(tenant).active_users

    @admin.display(description="storage")
    def usage_storage(self, tenant: Tenant) -> str:
        size = self._usage(tenant).storage_bytes
        return f"{filesizeformat(size)} ({size} bytes)"

    @admin.display(description="last activity (UTC)")
    def usage_last_activity(self, tenant: Tenant) -> str:
        moment = self._usage(tenant).last_activity
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment is not None else "never"

    # -- status actions --------------------------------------------------------------------
    def _transition(self, request: HttpRequest, tenant: Tenant, action: str) -> None:
        before = tenant.status
        changed = services.tenant_transition(tenant=tenant, action=action, actor=request.user)
        self.log_change(request, changed, f"{action}: status {before} -> {changed.status}")

    @service_action(description="Suspend the selected tenants", success="{count} suspended.")
    def suspend_tenants(self, request: HttpRequest, tenant: Tenant) -> None:
        """Every endpoint of the site answers 403 ``tenant_suspended`` until resumed."""
        self._transition(request, tenant, "suspend")

    @service_action(description="Resume the selected tenants", success="{count} resumed.")
    def resume_tenants(self, request: HttpRequest, tenant: Tenant) -> None:
        """Serve a suspended or archived site again."""
        self._transition(request, tenant, "resume")

    @service_action(description="Archive the selected tenants", success="{count} archived.")
    def archive_tenants(self, request: HttpRequest, tenant: Tenant) -> None:
        """Stop serving the site (410 ``tenant_archived``); its data is kept."""
        self._transition(request, tenant, "archive")


@register(Domain)
class DomainAdmin(ServiceModelAdmin):
    """The routing rows (host name -> tenant), read-only: provisioning and the tenant's services
    write them."""

    list_display = ("domain", "tenant_link", "is_primary", "created_at")
    list_filter = ("is_primary",)
    search_fields = ("domain", "tenant__schema_name", "tenant__name")
    list_select_related = ("tenant",)
    ordering = ("domain",)
    fields = ("domain", "tenant_link", "is_primary", "created_at")
    readonly_fields = ("tenant_link",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Domain]:
        """Tenants' domains (not the platform's own, if it has a row), with their tenant."""
        return super().get_queryset(request).exclude(tenant__kind=PUBLIC_KIND).select_related("tenant")

    @admin.display(description="tenant", ordering="tenant__schema_name")
    def tenant_link(self, domain: Domain) -> SafeString:
        return format_html('<a href="{}">{}</a>', _change_url(self.admin_site.name, domain.tenant), domain.tenant)


@register(CustomDomain)
class CustomDomainAdmin(ServiceModelAdmin):
    """Tenants' custom domains and where their DNS check stands, read-only: the site's admin adds,
    verifies and deletes them through ``/api/v1/domains/`` (``shared_apps.tenancy.domains``) and the
    daily re-check flags one whose record is gone."""

    list_display = ("domain", "tenant_link", "status", "verified_at", "last_checked_at", "created_at")
    list_filter = ("status",)
    search_fields = ("domain", "tenant__schema_name", "tenant__name")
    list_select_related = ("tenant",)
    ordering = ("domain", "tenant__schema_name")
    fields = ("domain", "tenant_link", "status", "created_at", "verified_at", "last_checked_at", "found")
    readonly_fields = ("tenant_link",)

    @admin.display(description="tenant", ordering="tenant__schema_name")
    def tenant_link(self, custom: CustomDomain) -> SafeString:
        return format_html('<a href="{}">{}</a>', _change_url(self.admin_site.name, custom.tenant), custom.tenant)
