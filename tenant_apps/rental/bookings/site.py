"""What bookings read of the rental site's settings: the commission and the site's date.

The settings are the site app's (``tenant_apps.rental.site.services.rental_settings``).
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.rental.site.services import rental_settings


def _settings() -> RentalSettings:
    return rental_settings()


def commission_percent() -> Decimal:
    """The site's commission, a ``Decimal`` percent 0-100 of what a stay kept (``host_share``)."""
    return Decimal(_settings().commission_percent)


def site_date(at: datetime | None = None) -> date:
    """The site's calendar date at ``at`` (default now), in the site's time zone (``time_zone``;
    the server's when the name is unknown). Stays are dated in it: "past", "before check-in"."""
    moment = at or timezone.now()
    try:
        zone = zoneinfo.ZoneInfo(_settings().time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.localdate(moment)
    return timezone.localtime(moment, zone).date()
