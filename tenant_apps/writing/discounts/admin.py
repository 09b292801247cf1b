"""The writing site's admin of discounts: codes and campaigns with their uses, switched on or off
through the service the API calls (``PATCH /discounts/{id}/`` ``{is_active}``)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline
from tenant_apps.writing.discounts import services
from tenant_apps.writing.discounts.access import access_discount
from tenant_apps.writing.discounts.models import Discount, DiscountUse


class DiscountUseInline(ReadOnlyInline):
    """The orders the discount was taken off (a released use gave its count back)."""

    model = DiscountUse
    fields = ("order", "client", "amount", "currency", "released_at", "created_at")

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        """Uses with their order and client, in one query."""
        return super().get_queryset(request).select_related("order", "client")


@register(Discount)
class DiscountAdmin(ServiceModelAdmin):
    """Discounts: read-only; switched on or off with the actions."""

    list_display = ("name", "code", "kind", "value", "is_active", "uses_count", "max_uses", "starts_at", "ends_at")
    list_filter = ("is_active", "kind", "first_order_only")
    search_fields = ("name", "code")
    list_select_related = ("created_by",)
    inlines = (DiscountUseInline,)
    actions = ("activate_discounts", "deactivate_discounts")

    @service_action(description="Switch the selected discounts on", success="{count} switched on.")
    def activate_discounts(self, request: HttpRequest, discount: Discount) -> None:
        """``services.discount_update(is_active=True)``."""
        found = access_discount(user=request.user, pk=discount.pk)
        services.discount_update(actor=request.user, discount=found, is_active=True)

    @service_action(description="Switch the selected discounts off", success="{count} switched off.")
    def deactivate_discounts(self, request: HttpRequest, discount: Discount) -> None:
        """``services.discount_update(is_active=False)``: no new order takes it."""
        found = access_discount(user=request.user, pk=discount.pk)
        services.discount_update(actor=request.user, discount=found, is_active=False)
