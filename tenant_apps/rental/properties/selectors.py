"""Reads on properties, starting from the scope in ``access.py`` (``properties_visible_to``); one
property is fetched, checked, by ``access.access_property``.

A page of properties loads in a fixed number of queries: the host joined, amenities and photos
(with their files) prefetched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from tenant_apps.rental.properties.access import properties_visible_to
from tenant_apps.rental.properties.models import Amenity, BlockedPeriod, Property, PropertyPhoto


def with_details(properties: QuerySet[Property]) -> QuerySet[Property]:
    """``properties`` with what the API shows loaded: host, amenities by name, photos in order with files."""
    photos = PropertyPhoto.objects.select_related("file").order_by("position", "id")
    return properties.select_related("host").prefetch_related(
        Prefetch("amenities", queryset=Amenity.objects.order_by("name")), Prefetch("photos", queryset=photos)
    )


def property_list(*, user: Any) -> QuerySet[Property]:
    """Properties ``user`` may see, newest first, loaded for the API."""
    return with_details(properties_visible_to(user)).order_by("-created_at", "-id")


def search_properties(properties: QuerySet[Property], text: str) -> QuerySet[Property]:
    """``properties`` whose title, description or city contains every word of ``text``
    (case-insensitive); a blank ``text`` leaves them as they are."""
    for word in text.split()[:10]:
        properties = properties.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(city__icontains=word)
        )
    return properties


def with_all_amenities(properties: QuerySet[Property], slugs: list[str]) -> QuerySet[Property]:
    """``properties`` offering every amenity of ``slugs`` (an unknown slug matches nothing)."""
    for slug in dict.fromkeys(slugs):
        properties = properties.filter(
            pk__in=Property.amenities.through.objects.filter(amenity__slug=slug).values("property_id")
        )
    return properties


def amenity_list() -> QuerySet[Amenity]:
    """Every amenity, by name."""
    return Amenity.objects.order_by("name", "id")


def blocked_period_list(*, prop: Property, since: date | None = None) -> QuerySet[BlockedPeriod]:
    """``prop``'s blocked periods, earliest first; with ``since``, those ending after it."""
    blocks = BlockedPeriod.objects.filter(property=prop)
    if since is not None:
        blocks = blocks.filter(end__gt=since)
    return blocks.order_by("start", "id")


def properties_count() -> int:
    """The site's usage of its plan's ``properties`` limit (``rental/kind.py``): every property,
    published or not (an unpublished one keeps its calendar and bookings). One query."""
    return Property.objects.count()
