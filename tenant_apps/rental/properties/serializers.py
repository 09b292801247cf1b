"""Request and response shapes of the properties API.

Money is a string with two decimals (``"120.00"``) in the property's ``currency``; coordinates are
strings of WGS 84 degrees with 6 decimals; times are ``"HH:MM:SS"`` in the property's local time.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from saas.db.tenant import site_url
from tenant_apps.files.services import file_download_url
from tenant_apps.rental.properties.access import can_manage_property
from tenant_apps.rental.properties.models import (
    Amenity,
    BlockedPeriod,
    BlockSource,
    CancellationPolicy,
    Property,
    PropertyPhoto,
    PropertyStatus,
)
from tenant_apps.rental.properties.services.properties import (
    DESCRIPTION_MAX_LENGTH,
    MAX_BEDROOMS,
    MAX_GUESTS,
    MAX_MINIMUM_NIGHTS,
    TITLE_MAX_LENGTH,
    URL_MAX_LENGTH,
)


class AmenitySerializer(serializers.ModelSerializer):
    """An amenity: ``{id, name, slug}``."""

    class Meta:
        model = Amenity
        fields = ("id", "name", "slug")
        read_only_fields = fields


class AmenityWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/amenities/`` and ``PATCH /api/v1/amenities/{id}/`` (admin):
    ``{name, slug?}`` (slug: lower-case letters, digits, hyphens; default from the name)."""

    name = serializers.CharField(max_length=80)
    slug = serializers.CharField(max_length=80, required=False, allow_blank=True)


class PropertyPhotoSerializer(serializers.ModelSerializer):
    """A photo: ``{id, url, position, caption}``; ``url`` is a short-lived download link
    (``FILE_URL_TTL_SECONDS``)."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = PropertyPhoto
        fields = ("id", "url", "position", "caption")
        read_only_fields = fields

    def get_url(self, photo: PropertyPhoto) -> str:
        return file_download_url(photo.file)


class PropertyPhotoUploadSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/properties/{id}/photos/`` (multipart): ``file`` (PNG, JPEG, GIF,
    WebP), ``caption``."""

    file = serializers.FileField()
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PropertyPhotoUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/properties/{id}/photos/{photo_id}/``: ``{position?, caption?}``
    (``position`` 1 = first)."""

    position = serializers.IntegerField(min_value=1, max_value=100, required=False)
    caption = serializers.CharField(max_length=200, required=False, allow_blank=True)


class HostSerializer(serializers.Serializer):
    """A property's host: ``{id, name}`` (their full name, else ``"#<id>"``: no e-mail)."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user.full_name or f"#{user.pk}")


def _money_out() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class PropertySerializer(serializers.ModelSerializer):
    """A property as the API shows it. ``amenities``: slugs, by name; ``photos`` in order.

    Only its host and admins see ``calendar_url`` (the iCalendar feed with its secret token),
    ``ical_import_url`` and ``ical_imported_at``: ``null`` for everyone else.
    """

    host = HostSerializer(read_only=True)
    nightly_price = _money_out()
    cleaning_fee = _money_out()
    latitude = AsciiDecimalField(max_digits=9, decimal_places=6, read_only=True)
    longitude = AsciiDecimalField(max_digits=9, decimal_places=6, read_only=True)
    amenities = serializers.SerializerMethodField()
    photos = PropertyPhotoSerializer(many=True, read_only=True)
    status = NamedChoiceField(choices=PropertyStatus.choices, read_only=True, component_name="PropertyStatusEnum")
    cancellation_policy = NamedChoiceField(
        choices=CancellationPolicy.choices, read_only=True, component_name="CancellationPolicyEnum"
    )
    calendar_url = serializers.SerializerMethodField()
    ical_import_url = serializers.SerializerMethodField()
    ical_imported_at = serializers.SerializerMethodField()

    class Meta:
        model = Property
        fields = (
            "id",
            "title",
            "description",
            "host",
            "address",
            "city",
            "country",
            "latitude",
            "longitude",
            "nightly_price",
            "currency",
            "cleaning_fee",
            "max_guests",
            "bedrooms",
            "amenities",
            "photos",
            "check_in_time",
            "check_out_time",
            "minimum_nights",
            "cancellation_policy",
            "status",
            "calendar_url",
            "ical_import_url",
            "ical_imported_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _manages(self, prop: Property) -> bool:
        request = self.context.get("request")
        return can_manage_property(getattr(request, "user", None), prop)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_amenities(self, prop: Property) -> list[str]:
        return [amenity.slug for amenity in prop.amenities.all()]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_calendar_url(self, prop: Property) -> str | None:
        if not self._manages(prop):
            return None
        return site_url(f"/api/v1/properties/{prop.pk}/calendar.ics?token={prop.calendar_token}")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_ical_import_url(self, prop: Property) -> str | None:
        return prop.ical_import_url if self._manages(prop) else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_ical_imported_at(self, prop: Property) -> str | None:
        if not self._manages(prop) or prop.ical_imported_at is None:
            return None
        return serializers.DateTimeField().to_representation(prop.ical_imported_at)  # type: ignore[no-any-return]


def _coordinate_in(limit: int, **kwargs: Any) -> AsciiDecimalField:
    return AsciiDecimalField(
        max_digits=9, decimal_places=6, min_value=Decimal(-limit), max_value=Decimal(limit), **kwargs
    )


def _money_in(**kwargs: Any) -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, **kwargs)


class PropertyWriteSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/properties/{id}/`` (its host, admin; any subset) and, with
    ``status``, of ``POST /api/v1/properties/`` (hosts, admins). The host is whoever creates it;
    ``status`` changes through ``publish``/``unpublish``.

    ``nightly_price`` (above zero) and ``cleaning_fee`` (zero or more) in major units of
    ``currency`` (ISO 4217), exact to its step; ``country`` ISO 3166-1 alpha-2; ``amenities``
    slugs; ``ical_import_url`` an https URL of another channel's feed, or ``""``.
    """

    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_LENGTH, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300)
    city = serializers.CharField(max_length=120)
    country = serializers.CharField(max_length=2, min_length=2, help_text="ISO 3166-1 alpha-2, e.g. PT.")
    latitude = _coordinate_in(90)
    longitude = _coordinate_in(180)
    nightly_price = _money_in(help_text="Major units of currency, above zero.")
    currency = serializers.CharField(max_length=3, min_length=3, help_text="ISO 4217, e.g. EUR.")
    cleaning_fee = _money_in(required=False, min_value=Decimal("0"), help_text="Once per stay; 0 or more.")
    max_guests = serializers.IntegerField(min_value=1, max_value=MAX_GUESTS)
    bedrooms = serializers.IntegerField(min_value=0, max_value=MAX_BEDROOMS, required=False)
    amenities = serializers.SlugRelatedField(
        slug_field="slug", queryset=Amenity.objects.all(), many=True, required=False
    )
    check_in_time = serializers.TimeField(required=False)
    check_out_time = serializers.TimeField(required=False)
    minimum_nights = serializers.IntegerField(min_value=1, max_value=MAX_MINIMUM_NIGHTS, required=False)
    cancellation_policy = NamedChoiceField(
        choices=CancellationPolicy.choices, required=False, component_name="CancellationPolicyEnum"
    )
    ical_import_url = serializers.CharField(max_length=URL_MAX_LENGTH, required=False, allow_blank=True)


class PropertyCreateSerializer(PropertyWriteSerializer):
    """Input of ``POST /api/v1/properties/``: ``PropertyWriteSerializer`` and ``status``
    (``published``, the default, or ``unpublished`` for a draft)."""

    status = serializers.ChoiceField(choices=PropertyStatus.choices, required=False)


class BlockedPeriodSerializer(serializers.ModelSerializer):
    """A blocked period: nights ``[start, end)`` (``end`` is the first free morning), ``source``
    ``manual`` or ``ical`` (imported, with the event's ``uid``)."""

    source = NamedChoiceField(  # type: ignore[assignment]
        choices=BlockSource.choices, read_only=True, component_name="BlockSourceEnum"
    )

    class Meta:
        model = BlockedPeriod
        fields = ("id", "start", "end", "summary", "source", "uid", "created_at")
        read_only_fields = fields


class BlockedPeriodWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/properties/{id}/blocked-periods/``: ``{start, end, summary?}``, dates."""

    start = serializers.DateField()
    end = serializers.DateField(help_text="The first free morning (exclusive).")
    summary = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CalendarTokenSerializer(serializers.Serializer):
    """``POST .../calendar-token/``: ``{calendar_url}``, the feed's new URL (the old one is dead)."""

    calendar_url = serializers.URLField()


class CalendarImportQueuedSerializer(serializers.Serializer):
    """``POST .../calendar-import/``: ``{status: "queued"}``; the result lands in the audit log
    (``property.calendar_imported`` / ``property.calendar_import_failed``) and ``ical_imported_at``."""

    status = serializers.CharField()
