"""Properties hosts list, their amenities and photos, and the dates they are blocked (seed 003).

* ``Property``: a host's listing. Money is ``Decimal`` with 2 places in the property's
  ``currency`` (ISO 4217, upper case): ``nightly_price`` (> 0) and ``cleaning_fee`` (>= 0, once
  per stay). Coordinates are WGS 84 degrees. A ``published`` property is listed publicly and can be
  booked; an ``unpublished`` one only by its host and the admins (bookings already made stand).
  ``calendar_token`` is the secret of its iCalendar feed URL (a calendar app cannot log in).
* ``Amenity``: what a property offers (wifi, pool...), managed by the site's admins.
* ``PropertyPhoto``: a stored image (``files``), in order.
* ``BlockedPeriod``: nights the host has closed, ``[start, end)`` like a stay; ``source`` says
  whether the host blocked them here (``manual``) or they were imported from another channel's
  iCalendar feed (``ical``, keyed by the event's ``UID``, replaced on each import).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from tenant_apps.files.models import StoredFile


def new_calendar_token() -> str:
    """A fresh secret for a property's iCalendar feed URL (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


class Amenity(models.Model):
    """Something a property offers (``wifi``, ``pool``); filtered by ``slug``."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "amenities"

    def __str__(self) -> str:
        return self.name


class CancellationPolicy(models.TextChoices):
    """How much of a stay's total a guest gets back when they cancel (``bookings.pricing.refund_for``)."""

    FLEXIBLE = "flexible", "Flexible"
    MODERATE = "moderate", "Moderate"
    STRICT = "strict", "Strict"


class PropertyStatus(models.TextChoices):
    """Whether a property is listed (and bookable)."""

    PUBLISHED = "published", "Published"
    UNPUBLISHED = "unpublished", "Unpublished"


class Property(models.Model):
    """A host's listing; see the module docstring for units and states."""

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rental_properties")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address = models.CharField(max_length=300)
    city = models.CharField(max_length=120)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, upper case.")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    nightly_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, help_text="ISO 4217, upper case.")
    cleaning_fee = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    max_guests = models.PositiveSmallIntegerField()
    bedrooms = models.PositiveSmallIntegerField(default=1)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="properties")
    check_in_time = models.TimeField(default="15:00")
    check_out_time = models.TimeField(default="11:00")
    minimum_nights = models.PositiveSmallIntegerField(default=1)
    cancellation_policy = models.CharField(
        max_length=16, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    status = models.CharField(max_length=16, choices=PropertyStatus.choices, default=PropertyStatus.PUBLISHED)
    calendar_token = models.CharField(max_length=64, default=new_calendar_token, unique=True)
    ical_import_url = models.URLField(blank=True, max_length=500, help_text="Another channel's iCalendar feed.")
    ical_imported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "properties"
        indexes = [
            models.Index(fields=["status", "city"], name="properties_status_city"),
            models.Index(fields=["status", "nightly_price"], name="properties_status_price"),
            models.Index(fields=["latitude", "longitude"], name="properties_lat_lng"),
            models.Index(fields=["host", "-created_at"], name="properties_host_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(nightly_price__gt=0), name="properties_nightly_price_positive"),
            models.CheckConstraint(condition=Q(cleaning_fee__gte=0), name="properties_cleaning_fee_not_negative"),
            models.CheckConstraint(condition=Q(max_guests__gte=1), name="properties_max_guests_positive"),
            models.CheckConstraint(condition=Q(minimum_nights__gte=1), name="properties_minimum_nights_positive"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90), name="properties_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180), name="properties_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PropertyPhoto(models.Model):
    """A photo of a property (a stored file, sniffed as an image), in ``position`` order."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    caption = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return f"photo #{self.pk} of property #{self.property_id}"


class BlockSource(models.TextChoices):
    """Where a blocked period comes from."""

    MANUAL = "manual", "Blocked by the host"
    ICAL = "ical", "Imported from an iCalendar feed"


class BlockedPeriod(models.Model):
    """Nights ``[start, end)`` a property cannot be booked (``end`` is the first free morning)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="blocked_periods")
    start = models.DateField()
    end = models.DateField()
    source = models.CharField(max_length=8, choices=BlockSource.choices, default=BlockSource.MANUAL)
    uid = models.CharField(max_length=255, blank=True, help_text="The imported event's UID (source ical).")
    summary = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("start", "id")
        indexes = [models.Index(fields=["property", "start", "end"], name="properties_block_range")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="properties_block_end_after_start"),
            models.UniqueConstraint(
                fields=["property", "uid"], condition=Q(source="ical"), name="properties_block_ical_uid_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"property #{self.property_id} blocked {self.start}..{self.end}"
