"""The writing site's admin of its price list: order options (retired or offered again through
the service the API calls), the page-rate table and the extra services (read-only here; edited
through the API, whose services check the table)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.writing.pricing import services
from tenant_apps.writing.pricing.access import access_order_option
from tenant_apps.writing.pricing.models import ExtraService, OrderOption, PageRate


@register(OrderOption)
class OrderOptionAdmin(ServiceModelAdmin):
    """Order options (paper types, academic levels, subjects...): retired or offered again with the actions."""

    list_display = ("name", "group", "slug", "position", "is_active")
    list_filter = ("group", "is_active")
    search_fields = ("name", "slug")
    ordering = ("group", "position", "id")
    actions = ("retire_options", "offer_options")

    @service_action(description="Retire the selected options", success="{count} retired.")
    def retire_options(self, request: HttpRequest, option: OrderOption) -> None:
        """``services.order_option_retire`` (as ``POST /order-options/{id}/retire/``): placed orders keep it."""
        found = access_order_option(user=request.user, pk=option.pk)
        services.order_option_retire(actor=request.user, option=found)

    @service_action(description="Offer the selected options again", success="{count} offered.")
    def offer_options(self, request: HttpRequest, option: OrderOption) -> None:
        """``services.order_option_update(is_active=True)`` (as ``PATCH /order-options/{id}/``)."""
        found = access_order_option(user=request.user, pk=option.pk)
        services.order_option_update(actor=request.user, option=found, is_active=True)


@register(PageRate)
class PageRateAdmin(ServiceModelAdmin):
    """The page-rate table: a price per page by academic level and deadline (read-only)."""

    list_display = ("academic_level", "deadline_hours_max", "price_per_page", "updated_at")
    list_filter = ("academic_level",)
    search_fields = ("academic_level__name",)
    list_select_related = ("academic_level",)
    ordering = ("academic_level__position", "deadline_hours_max")


@register(ExtraService)
class ExtraServiceAdmin(ServiceModelAdmin):
    """Extra services an order may add (read-only)."""

    list_display = ("name", "slug", "pricing", "amount", "position", "is_active")
    list_filter = ("pricing", "is_active")
    search_fields = ("name", "slug", "description")
    ordering = ("position", "id")
