"""The rental site's admin pages for properties, their amenities and blocked dates.

Read-only pages; the moves the API lets an admin make are actions calling the same services, with
the signed-in admin as the actor:

* properties: publish, unpublish (``property_set_status``), give the calendar feed a new secret
  (``property_calendar_token_rotate``), import the other channel's calendar now
  (``property_calendar_import_request``: queued after commit);
* blocked periods: unblock (``blocked_period_delete``).

Lists join what they show (``select_related``) and count with annotations, so a page costs a fixed
number of queries; a property's photos and blocked dates are inlines on its page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline
from tenant_apps.rental.properties import services
from tenant_apps.rental.properties.models import Amenity, BlockedPeriod, Property, PropertyPhoto, PropertyStatus


@register(Amenity)
class AmenityAdmin(ServiceModelAdmin):
    """Amenities, with how many properties offer each."""

    list_display = ("name", "slug", "property_count")
    list_filter = ("properties__status",)
    search_fields = ("name", "slug")
    fields = ("name", "slug", "property_count")
    readonly_fields = ("property_count",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).annotate(properties_n=Count("properties", distinct=True))

    @staticmethod
    def property_count(amenity: Any) -> int:
        """Properties offering it."""
        return int(getattr(amenity, "properties_n", 0))


class PhotoInline(ReadOnlyInline):
    """A property's photos, in order."""

    model = PropertyPhoto
    fields = ("position", "caption", "file")
    ordering = ("position", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("file")


class BlockedPeriodInline(ReadOnlyInline):
    """A property's blocked dates, by start."""

    model = BlockedPeriod
    fields = ("start", "end", "source", "summary", "uid")
    ordering = ("start", "id")


@register(Property)
class PropertyAdmin(ServiceModelAdmin):
    """Properties: publish, unpublish, rotate the calendar feed's secret, import the calendar."""

    list_display = (
        "title",
        "host",
        "city",
        "country",
        "nightly_price",
        "currency",
        "max_guests",
        "status",
        "created_at",
    )
    list_filter = ("status", "cancellation_policy", "country", "amenities")
    search_fields = ("title", "city", "address", "host__email", "host__full_name")
    list_select_related = ("host",)
    date_hierarchy = "created_at"
    fields = (
        "title",
        "host",
        "status",
        "description",
        "address",
        "city",
        "country",
        "latitude",
        "longitude",
        "nightly_price",
        "cleaning_fee",
        "currency",
        "max_guests",
        "bedrooms",
        "amenities",
        "check_in_time",
        "check_out_time",
        "minimum_nights",
        "cancellation_policy",
        "ical_import_url",
        "ical_imported_at",
        "created_at",
        "updated_at",
    )  # not the calendar token: a secret, rotated by the action
    inlines = (PhotoInline, BlockedPeriodInline)
    actions = ("publish", "unpublish", "rotate_calendar_token", "import_calendar")

    @service_action(description="Publish the selected properties", success="{count} published.")
    def publish(self, request: HttpRequest, prop: Property) -> None:
        services.property_set_status(actor=request.user, prop=prop, status=PropertyStatus.PUBLISHED)

    @service_action(description="Unpublish the selected properties", success="{count} unpublished.")
    def unpublish(self, request: HttpRequest, prop: Property) -> None:
        services.property_set_status(actor=request.user, prop=prop, status=PropertyStatus.UNPUBLISHED)

    @service_action(
        description="Give the calendar feeds a new secret (the old feed URLs stop working)",
        success="{count} feed URLs changed.",
    )
    def rotate_calendar_token(self, request: HttpRequest, prop: Property) -> None:
        services.property_calendar_token_rotate(actor=request.user, prop=prop)

    @service_action(description="Import the selected properties' calendars now", success="{count} imports queued.")
    def import_calendar(self, request: HttpRequest, prop: Property) -> None:
        services.property_calendar_import_request(actor=request.user, prop=prop)


@register(BlockedPeriod)
class BlockedPeriodAdmin(ServiceModelAdmin):
    """Blocked dates of every property: unblock (``blocked_period_delete``)."""

    list_display = ("property", "start", "end", "source", "summary", "created_at")
    list_filter = ("source", "start")
    search_fields = ("property__title", "summary", "uid")
    list_select_related = ("property",)
    ordering = ("start", "id")
    fields = ("property", "start", "end", "source", "uid", "summary", "created_at")
    actions = ("unblock",)

    @service_action(description="Unblock the selected dates", success="{count} unblocked.")
    def unblock(self, request: HttpRequest, block: BlockedPeriod) -> None:
        services.blocked_period_delete(actor=request.user, block=block)
