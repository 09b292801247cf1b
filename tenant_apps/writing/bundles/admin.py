"""The writing site's admin of class bundles: the bundles on sale (sold or withdrawn through the
service the API calls), clients' purchases with what each order drew from them (read-only: units
move only by orders), and the express classes (read-only)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline
from tenant_apps.writing.bundles import services
from tenant_apps.writing.bundles.access import access_bundle
from tenant_apps.writing.bundles.models import Bundle, BundleDraw, BundlePurchase, ExpressClass


class BundleDrawInline(ReadOnlyInline):
    """The orders paid from the purchase (a returned draw gave its units back)."""

    model = BundleDraw
    fields = ("order", "units", "returned_at", "created_at")


@register(Bundle)
class BundleAdmin(ServiceModelAdmin):
    """Bundles: read-only; put on sale or withdrawn with the actions (``bundle_update``)."""

    list_display = ("name", "unit", "quantity", "price", "currency", "validity_days", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name",)
    actions = ("sell_bundles", "withdraw_bundles")

    @service_action(description="Put the selected bundles on sale", success="{count} on sale.")
    def sell_bundles(self, request: HttpRequest, bundle: Bundle) -> None:
        """``services.bundle_update(is_active=True)`` (as ``PATCH /bundles/{id}/``)."""
        services.bundle_update(
            actor=request.user, bundle=access_bundle(user=request.user, pk=bundle.pk), is_active=True
        )

    @service_action(description="Withdraw the selected bundles from sale", success="{count} withdrawn.")
    def withdraw_bundles(self, request: HttpRequest, bundle: Bundle) -> None:
        """``services.bundle_update(is_active=False)``: purchases made keep their terms."""
        services.bundle_update(
            actor=request.user, bundle=access_bundle(user=request.user, pk=bundle.pk), is_active=False
        )


@register(BundlePurchase)
class BundlePurchaseAdmin(ServiceModelAdmin):
    """Clients' bundle purchases and their draws (read-only)."""

    list_display = ("id", "client", "bundle", "status", "quantity", "remaining", "price", "currency", "expires_at")
    list_filter = ("status", "unit", "created_at")
    search_fields = ("client__email", "client__full_name", "bundle__name", "invoice__number")
    list_select_related = ("client", "bundle", "invoice")
    date_hierarchy = "created_at"
    inlines = (BundleDrawInline,)


@register(ExpressClass)
class ExpressClassAdmin(ServiceModelAdmin):
    """Express classes: a fixed price for an order due within their hours (read-only)."""

    list_display = ("name", "slug", "unit", "price", "currency", "min_hours", "max_hours", "is_active")
    list_filter = ("is_active", "unit")
    search_fields = ("name", "slug", "description")
