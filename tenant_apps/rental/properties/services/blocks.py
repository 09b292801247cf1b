"""Blocked dates: nights ``[start, end)`` a host closes (``manual``), or imported from another
channel's iCalendar feed (``ical``, ``calendar_import``).

A block may not cover a night an occupying booking holds (pending, confirmed, completed:
``bookings.availability``): 409 ``dates_unavailable``. The check and the insert happen under the
property's row lock (``property_lock``), which the bookings app takes before it books, so a
booking and a block of the same nights cannot both pass (the database's exclusion constraint
covers bookings against bookings only).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode
from tenant_apps.audit.services import audit_record
from tenant_apps.rental.bookings.availability import overlapping_bookings
from tenant_apps.rental.properties.access import can_manage_property
from tenant_apps.rental.properties.locks import property_lock
from tenant_apps.rental.properties.models import BlockedPeriod, BlockSource, Property
from tenant_apps.rental.properties.services._common import clean_text, field_error, require

#: The longest block, in nights (two years), and how far ahead it may end.
MAX_BLOCK_NIGHTS = 731
MAX_DAYS_AHEAD = 3 * 366


def check_block_dates(start: Any, end: Any) -> tuple[date, date]:
    """``(start, end)`` as nights ``[start, end)``: dates, ``end`` after ``start``, ending after
    today (site time), at most ``MAX_BLOCK_NIGHTS`` long and ``MAX_DAYS_AHEAD`` ahead.

    Raises ``field_error`` (400) naming ``start`` or ``end``.
    """
    if not isinstance(start, date) or isinstance(start, datetime):
        raise field_error("start", "A date, e.g. 2030-01-31.")
    if not isinstance(end, date) or isinstance(end, datetime):
        raise field_error("end", "A date, e.g. 2030-02-03.")
    if end <= start:
        raise field_error("end", "The end (the first free morning) must come after the start.")
    today = timezone.localdate()
    if end <= today:
        raise field_error("end", "The period is over.")
    if (end - start).days > MAX_BLOCK_NIGHTS or end > today + timedelta(days=MAX_DAYS_AHEAD):
        raise field_error("end", f"At most {MAX_BLOCK_NIGHTS} nights, ending within {MAX_DAYS_AHEAD} days.")
    return start, end


def blocked_period_create(*, actor: Any, prop: Property, start: date, end: date, summary: str = "") -> BlockedPeriod:
    """Block the nights ``[start, end)`` of ``prop`` (its host; admin), source ``manual``.

    Raises ``permission_denied`` (403), ``validation_error`` (400: dates), ``dates_unavailable``
    (409: an occupying booking holds one of the nights; ``details.bookings`` their numbers).
    """
    require(can_manage_property(actor, prop))
    start, end = check_block_dates(start, end)
    summary = clean_text(summary, field="summary", required=False, max_length=200)
    with transaction.atomic():
        prop = property_lock(prop.pk)
        taken = list(
            overlapping_bookings(check_in=start, check_out=end).filter(property=prop).values_list("number", flat=True)
        )
        if taken:
            raise Conflict(
                "A booking holds some of these nights.",
                code=ErrorCode.DATES_UNAVAILABLE,
                details={"bookings": taken},
            )
        block = BlockedPeriod.objects.create(
            property=prop, start=start, end=end, summary=summary, source=BlockSource.MANUAL
        )
        audit_record(
            actor=actor,
            verb="property.dates_blocked",
            target=prop,
            changes={"block": block.pk, "start": start.isoformat(), "end": end.isoformat()},
        )
    return block


def blocked_period_delete(*, actor: Any, block: BlockedPeriod) -> None:
    """Free the nights of ``block`` (its property's host; admin). An imported block comes back at
    the next import if the other channel still has it. Raises ``permission_denied`` (403)."""
    require(can_manage_property(actor, block.property))
    with transaction.atomic():
        prop = property_lock(block.property_id)
        audit_record(
            actor=actor,
            verb="property.dates_unblocked",
            target=prop,
            changes={"block": block.pk, "start": block.start.isoformat(), "end": block.end.isoformat()},
        )
        BlockedPeriod.objects.filter(pk=block.pk).delete()
