"""Query filters of the property list (django-filter, strict fields: a bad value answers 400
``validation_error`` naming the parameter)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django_filters import rest_framework as filters

from saas.api.filters import StrictBooleanFilter, StrictIntegerField
from tenant_apps.rental.bookings.availability import available_properties
from tenant_apps.rental.properties import selectors
from tenant_apps.rental.properties.models import Property

_DEGREES = re.compile(r"[+-]?[0-9]{1,3}(?:\.[0-9]{1,10})?")
#: The longest stay ``check_in``/``check_out`` may ask about, in nights.
MAX_SEARCH_NIGHTS = 366


class IsoDateField(forms.DateField):
    """A date written ``YYYY-MM-DD`` only (not ``10/25/2030``)."""

    input_formats = ["%Y-%m-%d"]


class BBoxField(forms.CharField):
    """``min_lng,min_lat,max_lng,max_lat`` in WGS 84 degrees -> a tuple of four ``Decimal``; the
    minimums at most the maximums, longitudes -180..180, latitudes -90..90."""

    def to_python(self, value: Any) -> tuple[Decimal, Decimal, Decimal, Decimal] | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        parts = text.split(",")
        message = "min_lng,min_lat,max_lng,max_lat in degrees, e.g. -9.3,38.6,-9.0,38.8."
        if len(parts) != 4 or any(len(p.strip()) > 20 for p in parts):
            raise forms.ValidationError(message, code="invalid")
        if not all(_DEGREES.fullmatch(p.strip()) for p in parts):
            raise forms.ValidationError(message, code="invalid")
        numbers = [Decimal(p.strip()) for p in parts]
        min_lng, min_lat, max_lng, max_lat = numbers
        if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise forms.ValidationError(message, code="invalid")
        return min_lng, min_lat, max_lng, max_lat


class WholeNumberFilter(filters.NumberFilter):
    """A whole number written with ASCII digits (documented as ``integer``)."""

    field_class = StrictIntegerField


class IsoDateFilter(filters.DateFilter):
    """A ``YYYY-MM-DD`` date (documented as ``date``)."""

    field_class = IsoDateField


class BBoxFilter(filters.CharFilter):
    """A bounding box, ``min_lng,min_lat,max_lng,max_lat`` (documented as a string)."""

    field_class = BBoxField


class PropertyFilterForm(forms.Form):
    """Checks what the filters check together: ``check_in`` and ``check_out`` come as a pair, in order."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_in: date | None = data.get("check_in")
        check_out: date | None = data.get("check_out")
        if (check_in is None) != (check_out is None):
            missing = "check_out" if check_out is None else "check_in"
            if missing not in self.errors:
                self.add_error(missing, "Give check_in and check_out together.")
        elif check_in is not None and check_out is not None:
            if check_out <= check_in:
                self.add_error("check_out", "check_out must come after check_in.")
            elif (check_out - check_in).days > MAX_SEARCH_NIGHTS:
                self.add_error("check_out", f"At most {MAX_SEARCH_NIGHTS} nights.")
        return data


class PropertyFilter(filters.FilterSet):
    """``GET /api/v1/properties/`` filters.

    * ``city`` (case-insensitive exact), ``country`` (ISO alpha-2, any case);
    * ``min_price``/``max_price``: inclusive bounds on ``nightly_price`` (in each property's own
      currency); ``guests``: ``max_guests`` at least this; ``bedrooms``: at least this;
    * ``amenities=wifi,pool``: offers every one of these slugs (an unknown slug matches nothing);
    * ``bbox=min_lng,min_lat,max_lng,max_lat``: inside the box (degrees);
    * ``check_in`` + ``check_out`` (``YYYY-MM-DD``, together, ``check_out`` after ``check_in``):
      without the properties booked or blocked on any night of ``[check_in, check_out)`` (a stay
      may start on another's check-out day);
    * ``search``: every word in the title, description or city; ``mine=true``: only your own
      properties (hosts: in any status; anonymous: none).
    """

    city = filters.CharFilter(field_name="city", lookup_expr="iexact", max_length=120)
    country = filters.CharFilter(method="filter_country", max_length=2)
    min_price = filters.NumberFilter(field_name="nightly_price", lookup_expr="gte", min_value=0, max_value=10**10)
    max_price = filters.NumberFilter(field_name="nightly_price", lookup_expr="lte", min_value=0, max_value=10**10)
    guests = WholeNumberFilter(field_name="max_guests", lookup_expr="gte", min_value=1, max_value=1000)
    bedrooms = WholeNumberFilter(field_name="bedrooms", lookup_expr="gte", min_value=0, max_value=1000)
    amenities = filters.CharFilter(method="filter_amenities", max_length=500, help_text="Slugs, comma-separated.")
    bbox = BBoxFilter(method="filter_bbox", help_text="min_lng,min_lat,max_lng,max_lat (degrees).")
    check_in = IsoDateFilter(method="filter_noop", help_text="YYYY-MM-DD, with check_out.")
    check_out = IsoDateFilter(method="filter_noop", help_text="YYYY-MM-DD, after check_in.")
    search = filters.CharFilter(method="filter_search", max_length=200, help_text="Words to look for.")
    mine = StrictBooleanFilter(method="filter_mine", help_text="true: only your own properties.")

    class Meta:
        model = Property
        form = PropertyFilterForm
        fields = (
            "city",
            "country",
            "min_price",
            "max_price",
            "guests",
            "bedrooms",
            "amenities",
            "bbox",
            "check_in",
            "check_out",
            "search",
            "mine",
        )

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        check_in, check_out = self.form.cleaned_data.get("check_in"), self.form.cleaned_data.get("check_out")
        if check_in is not None and check_out is not None:
            queryset = available_properties(queryset, check_in=check_in, check_out=check_out)
        return queryset

    def filter_noop(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def filter_country(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(country=value.strip().upper()) if value.strip() else queryset

    def filter_amenities(self, queryset: Any, name: str, value: str) -> Any:
        slugs = [slug.strip() for slug in value.split(",") if slug.strip()]
        return selectors.with_all_amenities(queryset, slugs[:20]) if slugs else queryset

    def filter_bbox(self, queryset: Any, name: str, value: Any) -> Any:
        if not value:
            return queryset
        min_lng, min_lat, max_lng, max_lat = value
        return queryset.filter(
            longitude__gte=min_lng, longitude__lte=max_lng, latitude__gte=min_lat, latitude__lte=max_lat
        )

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        return selectors.search_properties(queryset, value)

    def filter_mine(self, queryset: Any, name: str, value: bool | None) -> Any:
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(host_id=user.pk)
