"""Properties: hosts list them, keep them up to date, publish and unpublish them; admins manage all.

* ``property_create`` (hosts, admins): the requester is the host (never a field of the input);
  ``published`` unless asked otherwise.
* ``property_update`` (its host; admin): any of ``PROPERTY_FIELDS``; money is re-checked in the
  currency the property will have.
* ``property_set_status`` (its host; admin): ``published`` / ``unpublished``; bookings already made
  stand (the bookings app refuses new ones on an unpublished property).
* ``property_calendar_token_rotate`` (its host; admin): a new secret for the iCalendar feed URL;
  the old URL answers 404 from then on.

Validation (400 in the one error shape): money through ``saas.money.check_amount`` in the
property's currency (``nightly_price`` above zero; ``cleaning_fee`` zero or an amount), currency
the site's (``settings.DEFAULT_CURRENCY``, the wallets' currency: a host is paid their share of a
stay into their wallet, and a wallet holds one currency; another code is ``invalid_currency``),
country ISO 3166-1 alpha-2, latitude -90..90 and
longitude -180..180 (6 decimals), ``max_guests`` 1-100, ``bedrooms`` 0-100, ``minimum_nights``
1-365, times of day, ``ical_import_url`` https only.

Locks (``locks.py``): a change takes the property's row lock (``property_lock``), which bookings
and blocked dates take too.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saas.billing import plan_slot
from saas.errors import ApplicationError, ErrorCode
from saas.money import check_amount, normalize_currency
from tenant_apps.audit.diff import apply_changes, audit_value
from tenant_apps.audit.services import audit_record
from tenant_apps.rental.properties.access import can_create_property, can_manage_property
from tenant_apps.rental.properties.countries import ISO_3166_ALPHA_2
from tenant_apps.rental.properties.locks import property_lock
from tenant_apps.rental.properties.models import (
    Amenity,
    CancellationPolicy,
    Property,
    PropertyStatus,
    new_calendar_token,
)
from tenant_apps.rental.properties.services._common import clean_text, field_error, require

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 20_000
MAX_GUESTS = 100
MAX_BEDROOMS = 100
MAX_MINIMUM_NIGHTS = 365
URL_MAX_LENGTH = 500
#: What ``property_update`` changes (``status`` through ``property_set_status``).
PROPERTY_FIELDS = (
    "title",
    "description",
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
    "check_in_time",
    "check_out_time",
    "minimum_nights",
    "cancellation_policy",
    "ical_import_url",
)
_COORDINATE_STEP = Decimal("0.000001")


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not -limit <= number <= limit:
        raise field_error(field, f"Degrees from -{limit} to {limit}.")
    if number != number.quantize(_COORDINATE_STEP):
        raise field_error(field, "At most 6 decimals.")
    return number.quantize(_COORDINATE_STEP)


def _whole(value: Any, *, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise field_error(field, f"A whole number from {low} to {high}.")
    return value


def _country(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in ISO_3166_ALPHA_2:
        raise field_error("country", "An ISO 3166-1 alpha-2 country code, e.g. PT.")
    return code


def _time(value: Any, *, field: str) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        try:
            return time.fromisoformat(value.strip()).replace(tzinfo=None, microsecond=0)
        except ValueError:
            pass
    raise field_error(field, "A time of day, e.g. 15:00.")


def check_import_url(value: Any) -> str:
    """``value`` as an iCalendar import URL: blank (no import), or an ``https://`` URL with a host
    and no user info, at most 500 characters. The address it resolves to is checked when fetched
    (``fetch.fetch_calendar``). Raises ``field_error`` ``ical_import_url`` (400) otherwise."""
    url = clean_text(value, field="ical_import_url", required=False, max_length=URL_MAX_LENGTH)
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise field_error("ical_import_url", "Not a URL.") from None
    if parts.scheme != "https" or not parts.hostname or "@" in parts.netloc or port == 0:
        raise field_error("ical_import_url", "An https:// URL of an iCalendar feed.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise field_error("ical_import_url", "Not a URL.")
    return url


def _site_currency(value: Any) -> str:
    """``value`` as the site's currency code; raises ``invalid_currency`` (400) for anything else:
    stays are priced in the currency hosts are paid in (their wallets', ``DEFAULT_CURRENCY``)."""
    currency = normalize_currency(value if isinstance(value, str) else "")
    if currency != settings.DEFAULT_CURRENCY:
        message = f"Stays on this site are priced in {settings.DEFAULT_CURRENCY}: hosts are paid in it."
        raise ApplicationError(message, code=ErrorCode.INVALID_CURRENCY, details={"currency": [message]})
    return currency


def _money(value: Any, currency: str, *, field: str, allow_zero: bool = False) -> Decimal:
    if allow_zero and not isinstance(value, bool) and isinstance(value, int | str | Decimal):
        try:
            if Decimal(str(value).strip()) == 0:
                return Decimal("0.00")
        except (InvalidOperation, ValueError):
            pass
    return check_amount(value, currency, field=field)


def _clean(fields: dict[str, Any], *, currency: str) -> dict[str, Any]:
    """``fields`` checked and normalised; money in ``currency`` (the property's, after the change)."""
    clean = dict(fields)
    for name, limit in (("title", TITLE_MAX_LENGTH), ("address", 300), ("city", 120)):
        if name in clean:
            clean[name] = clean_text(clean[name], field=name, max_length=limit)
    if "description" in clean:
        clean["description"] = clean_text(
            clean["description"], field="description", required=False, max_length=DESCRIPTION_MAX_LENGTH
        )
    if "country" in clean:
        clean["country"] = _country(clean["country"])
    if "latitude" in clean:
        clean["latitude"] = _coordinate(clean["latitude"], field="latitude", limit=90)
    if "longitude" in clean:
        clean["longitude"] = _coordinate(clean["longitude"], field="longitude", limit=180)
    if "currency" in clean:
        clean["currency"] = currency
    if "nightly_price" in clean:
        clean["nightly_price"] = _money(clean["nightly_price"], currency, field="nightly_price")
    if "cleaning_fee" in clean:
        clean["cleaning_fee"] = _money(clean["cleaning_fee"], currency, field="cleaning_fee", allow_zero=True)
    if "max_guests" in clean:
        clean["max_guests"] = _whole(clean["max_guests"], field="max_guests", low=1, high=MAX_GUESTS)
    if "bedrooms" in clean:
        clean["bedrooms"] = _whole(clean["bedrooms"], field="bedrooms", low=0, high=MAX_BEDROOMS)
    if "minimum_nights" in clean:
        clean["minimum_nights"] = _whole(
            clean["minimum_nights"], field="minimum_nights", low=1, high=MAX_MINIMUM_NIGHTS
        )
    for name in ("check_in_time", "check_out_time"):
        if name in clean:
            clean[name] = _time(clean[name], field=name)
    if "cancellation_policy" in clean and clean["cancellation_policy"] not in CancellationPolicy.values:
        raise field_error("cancellation_policy", f"One of: {', '.join(CancellationPolicy.values)}.")
    if "ical_import_url" in clean:
        clean["ical_import_url"] = check_import_url(clean["ical_import_url"])
    if "amenities" in clean:
        amenities = list(clean["amenities"] or [])
        if any(not isinstance(item, Amenity) for item in amenities):
            raise field_error("amenities", "Amenity slugs.")
        clean["amenities"] = sorted({item.pk: item for item in amenities}.values(), key=lambda item: item.pk)
    return clean


def _audit(value: Any) -> Any:
    """``value`` as an audit row stores it (``audit_value``, and times of day in ISO 8601)."""
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, list):
        return [_audit(item) for item in value]
    return audit_value(value)


def property_create(
    *,
    actor: Any,
    title: str,
    address: str,
    city: str,
    country: str,
    latitude: Decimal | str | float,
    longitude: Decimal | str | float,
    nightly_price: Decimal | str,
    currency: str,
    max_guests: int,
    description: str = "",
    cleaning_fee: Decimal | str = "0",
    bedrooms: int = 1,
    amenities: list[Amenity] | None = None,
    check_in_time: time | str = "15:00",
    check_out_time: time | str = "11:00",
    minimum_nights: int = 1,
    cancellation_policy: str = CancellationPolicy.MODERATE,
    status: str = PropertyStatus.PUBLISHED,
    ical_import_url: str = "",
) -> Property:
    """List a property with ``actor`` as its host (hosts and admins). Money is ``Decimal`` in major
    units of ``currency`` (ISO 4217): ``nightly_price`` above zero, ``cleaning_fee`` zero or more,
    each exact to the currency's step; coordinates in WGS 84 degrees; times of day in the
    property's local time. ``status``: ``published`` (default) or ``unpublished`` (a draft).

    Takes one of the plan's ``properties`` (``saas.billing.plan_slot``, held until the commit).

    Raises ``permission_denied`` (403), ``validation_error``/``invalid_amount``/``invalid_currency`` (400),
    ``plan_limit_reached`` (403: nothing written).
    """
    require(can_create_property(actor))
    currency = _site_currency(currency)
    if status not in PropertyStatus.values:
        raise field_error("status", f"One of: {', '.join(PropertyStatus.values)}.")
    clean = _clean(
        {
            "title": title,
            "description": description,
            "address": address,
            "city": city,
            "country": country,
            "latitude": latitude,
            "longitude": longitude,
            "nightly_price": nightly_price,
            "currency": currency,
            "cleaning_fee": cleaning_fee,
            "max_guests": max_guests,
            "bedrooms": bedrooms,
            "amenities": amenities or [],
            "check_in_time": check_in_time,
            "check_out_time": check_out_time,
            "minimum_nights": minimum_nights,
            "cancellation_policy": cancellation_policy,
            "ical_import_url": ical_import_url,
        },
        currency=currency,
    )
    chosen = clean.pop("amenities")
    with transaction.atomic():
        plan_slot("properties")
        prop = Property.objects.create(host=actor, status=status, **clean)
        prop.amenities.set(chosen)
        audit_record(
            actor=actor,
            verb="property.created",
            target=prop,
            changes={
                **{name: _audit(value) for name, value in clean.items()},
                "amenities": sorted(a.slug for a in chosen),
                "status": status,
            },
        )
    return prop


def property_update(*, actor: Any, prop: Property, **fields: Any) -> Property:
    """Change any of ``PROPERTY_FIELDS`` of ``prop`` (its host; admin); ``amenities`` replaces
    the list. A new ``currency`` re-checks the prices (given or kept) in it.

    Raises ``permission_denied`` (403), ``validation_error``/``invalid_amount``/``invalid_currency`` (400).
    """
    require(can_manage_property(actor, prop))
    unknown = set(fields) - set(PROPERTY_FIELDS)
    if unknown:
        raise TypeError(f"unknown property fields: {sorted(unknown)}")
    with transaction.atomic():
        prop = property_lock(prop.pk)
        currency = prop.currency
        if "currency" in fields:
            currency = _site_currency(fields["currency"])
            if currency != prop.currency:  # the kept prices must be exact in the new currency too
                fields.setdefault("nightly_price", prop.nightly_price)
                fields.setdefault("cleaning_fee", prop.cleaning_fee)
        clean = _clean(fields, currency=currency)
        chosen = clean.pop("amenities", None)
        changed = apply_changes(prop, clean)
        if changed:
            prop.save()
        if chosen is not None:
            before = sorted(prop.amenities.values_list("slug", flat=True))
            after = sorted(a.slug for a in chosen)
            if before != after:
                prop.amenities.set(chosen)
                changed["amenities"] = [before, after]
                prop.updated_at = timezone.now()
                Property.objects.filter(pk=prop.pk).update(updated_at=prop.updated_at)
        if changed:
            changes = {name: _audit(values) for name, values in changed.items()}
            audit_record(actor=actor, verb="property.updated", target=prop, changes=changes)
    return prop


def property_set_status(*, actor: Any, prop: Property, status: str) -> Property:
    """Publish or unpublish ``prop`` (its host; admin); setting the status it has changes
    nothing. Bookings already made stand.

    Raises ``permission_denied`` (403), ``validation_error`` (400: not a ``PropertyStatus``).
    """
    require(can_manage_property(actor, prop))
    if status not in PropertyStatus.values:
        raise field_error("status", f"One of: {', '.join(PropertyStatus.values)}.")
    with transaction.atomic():
        prop = property_lock(prop.pk)
        changed = apply_changes(prop, {"status": status})
        if changed:
            prop.save(update_fields=["status", "updated_at"])
            audit_record(actor=actor, verb=f"property.{status}", target=prop, changes=changed)
    return prop


def property_calendar_token_rotate(*, actor: Any, prop: Property) -> Property:
    """Give ``prop``'s iCalendar feed a new secret (its host; admin): the old feed URL answers
    404 from now on. The token itself is not audited. Raises ``permission_denied`` (403)."""
    require(can_manage_property(actor, prop))
    with transaction.atomic():
        prop = property_lock(prop.pk)
        prop.calendar_token = new_calendar_token()
        prop.save(update_fields=["calendar_token", "updated_at"])
        audit_record(actor=actor, verb="property.calendar_token_rotated", target=prop, changes={})
    return prop
