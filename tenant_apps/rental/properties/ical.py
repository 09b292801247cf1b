"""iCalendar (RFC 5545) for a property's calendar, with the ``icalendar`` library.

* ``calendar_feed(prop)``: the property's taken nights as a feed other channels subscribe to: one
  all-day ``VEVENT`` per occupying booking (``SUMMARY:Reserved``, no guest data; ``UID``
  ``booking-<number>@<site host>``) and per blocked period (``UID`` ``block-<id>@<site host>``;
  the host's own note as ``SUMMARY``, ``Blocked`` for imported ones, whose notes are another
  channel's),
  ``DTSTART`` the first night and ``DTEND`` the check-out day (exclusive, as all-day events are).
  Stays that ended more than ``PAST_DAYS`` ago are left out.
* ``parse_feed(data, today=...)``: another channel's feed read as nights ``[start, end)``: all-day
  events as they are; a date-time event takes the nights from the date it starts to the date it
  ends (in its own time zone), plus that last date's night when it ends after noon (a check-out
  at 11:00 frees the night, a stay until 18:00 does not); no ``DTEND``: ``DURATION``, else one night;
  never less than one night. Cancelled
  events, events over by ``today`` and (unexpanded) recurrences' further occurrences are left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
from django.utils import timezone

from saas.db.tenant import site_url
from tenant_apps.rental.bookings.models import OCCUPIES, Booking
from tenant_apps.rental.properties.models import BlockedPeriod, BlockSource, Property

#: Stays and blocks that ended more than this many days ago are not exported.
PAST_DAYS = 30
#: Events read from one feed, at most.
MAX_EVENTS = 2000
PRODID = "-//saas//rental calendar//EN"


def site_host() -> str:
    """The current site's host name (the right-hand side of exported ``UID``\\ s)."""
    return urlsplit(site_url("")).hostname or "localhost"


def calendar_feed(prop: Property) -> bytes:
    """``prop``'s taken nights as an iCalendar document (UTF-8 bytes, CRLF lines)."""
    host = site_host()
    since = timezone.localdate() - timedelta(days=PAST_DAYS)
    stamp = timezone.now().replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{prop.title} ({host})")
    bookings = Booking.objects.filter(OCCUPIES, property=prop, check_out__gt=since).order_by("check_in", "id")
    for number, check_in, check_out in bookings.values_list("number", "check_in", "check_out"):
        cal.add_component(_event(f"booking-{number}@{host}", check_in, check_out, "Reserved", stamp))
    blocks = BlockedPeriod.objects.filter(property=prop, end__gt=since).order_by("start", "id")
    for pk, start, end, summary, source in blocks.values_list("pk", "start", "end", "summary", "source"):
        shown = summary if source == BlockSource.MANUAL and summary else "Blocked"
        cal.add_component(_event(f"block-{pk}@{host}", start, end, shown, stamp))
    return bytes(cal.to_ical())


def _event(uid: str, start: date, end: date, summary: str, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    return event


@dataclass(frozen=True)
class FeedEvent:
    """One event of an imported feed as nights ``[start, end)``."""

    uid: str
    start: date
    end: date
    summary: str


class FeedInvalid(ValueError):
    """The document is not an iCalendar feed we can read."""


def _as_date(value: object, *, is_end: bool) -> date | None:
    if isinstance(value, datetime):
        if is_end and value.time() > time(12, 0):
            return value.date() + timedelta(days=1)
        return value.date()
    if isinstance(value, date):
        return value
    return None


def parse_feed(data: bytes, *, today: date) -> list[FeedEvent]:
    """The events of ``data`` that still matter on ``today`` (see the module docstring), by start.

    ``UID`` s are kept (at most 255 characters; an event without one gets ``nouid-<hash>`` of its
    dates); summaries cut at 200 characters. Raises ``FeedInvalid`` for a document ``icalendar``
    cannot parse, one without a ``VCALENDAR``, or more than ``MAX_EVENTS`` events.
    """
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise FeedInvalid(f"Not an iCalendar feed: {str(error)[:200]}") from None
    if not calendars or any(cal.name != "VCALENDAR" for cal in calendars):
        raise FeedInvalid("Not an iCalendar feed.")
    found: dict[str, FeedEvent] = {}
    count = 0
    for cal in calendars:
        for component in cal.walk("VEVENT"):
            count += 1
            if count > MAX_EVENTS:
                raise FeedInvalid(f"More than {MAX_EVENTS} events.")
            event = _read_event(component)
            if event is None or event.end <= today:
                continue
            found.setdefault(event.uid, event)
    return sorted(found.values(), key=lambda e: (e.start, e.uid))


def _read_event(component: icalendar.cal.Component) -> FeedEvent | None:
    try:
        if str(component.get("status", "")).upper() == "CANCELLED":
            return None
        start_prop = component.get("dtstart")
        if start_prop is None:
            return None
        raw_start = start_prop.dt
        start = _as_date(raw_start, is_end=False)
        if start is None:
            return None
        end_prop = component.get("dtend")
        duration = component.get("duration")
        if end_prop is not None:
            end = _as_date(end_prop.dt, is_end=True)
        elif duration is not None and isinstance(duration.dt, timedelta):
            end = _as_date(raw_start + duration.dt, is_end=True)
        else:
            end = start + timedelta(days=1)
        if end is None:
            return None
        if end <= start:
            end = start + timedelta(days=1)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    summary = " ".join(str(component.get("summary", "")).split())[:200]
    uid = str(component.get("uid", "")).strip()[:255]
    if not uid:
        uid = "nouid-" + hashlib.sha256(f"{start}/{end}/{summary}".encode()).hexdigest()[:32]
    return FeedEvent(uid=uid, start=start, end=end, summary=summary)
