"""The rental site's settings: read by the bookings (commission) and reports (hour, time zone) apps.

* ``rental_settings()`` reads the row (``pk=1``), creating it with the defaults of ``models`` on
  first use (safe under concurrency: a losing ``INSERT`` reads the winner's row).
* ``rental_settings_update(*, actor, changes)`` is the admin's edit, under the row's lock, audited.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from saas.errors import ApplicationError, ErrorCode, PermissionDenied
from tenant_apps.audit.diff import apply_changes
from tenant_apps.audit.services import audit_record
from tenant_apps.rental.site.access import can_manage_rental_settings
from tenant_apps.rental.site.locks import rental_settings_lock
from tenant_apps.rental.site.models import RentalSettings

#: What ``rental_settings_update`` changes.
SETTINGS_FIELDS = ("commission_percent", "report_hour", "time_zone")


def rental_settings() -> RentalSettings:
    """The site's ``RentalSettings`` (created with the defaults when missing; safe under concurrency)."""
    found = RentalSettings.objects.filter(pk=1).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return RentalSettings.objects.create(pk=1)
    except IntegrityError:
        return RentalSettings.objects.get(pk=1)


def _error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.VALIDATION_ERROR, details={field: [message]})


def valid_time_zone(value: Any) -> str:
    """``value`` if it names an IANA time zone ``zoneinfo`` knows (``"Europe/Paris"``, ``"UTC"``).

    Raises ``ApplicationError`` ``validation_error`` (400, ``details.time_zone``) otherwise.
    """
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        raise _error("time_zone", "An IANA time zone name, e.g. Europe/Paris.")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise _error("time_zone", "An IANA time zone name, e.g. Europe/Paris.") from None
    return name


def _clean(changes: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "commission_percent" in changes:
        try:
            percent = Decimal(str(changes["commission_percent"]))
        except (InvalidOperation, ValueError):
            raise _error("commission_percent", "A percentage from 0 to 100.") from None
        if not percent.is_finite() or not 0 <= percent <= 100 or percent != round(percent, 2):
            raise _error("commission_percent", "A percentage from 0 to 100, at most 2 decimals.")
        clean["commission_percent"] = percent.quantize(Decimal("0.01"))
    if "report_hour" in changes:
        hour = changes["report_hour"]
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            raise _error("report_hour", "An hour from 0 to 23.")
        clean["report_hour"] = hour
    if "time_zone" in changes:
        clean["time_zone"] = valid_time_zone(changes["time_zone"])
    return clean


def rental_settings_update(*, actor: Any, changes: dict[str, Any]) -> RentalSettings:
    """Change the rental site's settings (admin): any of ``SETTINGS_FIELDS``.

    ``commission_percent``: ``Decimal`` 0-100 (2 decimals), the site's share of a stay's total;
    ``report_hour``: 0-23, the site-time hour of the daily report; ``time_zone``: an IANA name
    ``zoneinfo`` knows. Changed under the row's lock and audited (``rental.settings_updated``).

    Raises ``PermissionDenied`` (403) for anyone but an admin, ``ApplicationError``
    ``validation_error`` (400, naming the field) for a value out of range; ``TypeError`` for an
    unknown field (a programming error, the serializer passes only these).
    """
    if not can_manage_rental_settings(actor):
        raise PermissionDenied("Your role does not allow this action.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings fields: {sorted(unknown)}")
    clean = _clean(changes)
    rental_settings()  # the row exists before it is locked
    with transaction.atomic():
        row = rental_settings_lock()
        changed = apply_changes(row, clean)
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
            audit_record(actor=actor, verb="rental.settings_updated", target=row, changes=changed)
    return row
