"""Importing another channel's iCalendar feed: its events become the property's ``ical`` blocked
periods, replaced by UID on each import; events over booked nights are reported, not imported.

The fetch itself (and its SSRF guard) is ``test_fetch.py``; here the feed is handed over by a
stand-in for ``fetch_calendar``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import icalendar
import pytest
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.rental.properties import tasks
from tenant_apps.rental.properties.fetch import FetchRefused
from tenant_apps.rental.properties.models import BlockedPeriod, BlockSource, Property
from tenant_apps.rental.properties.services import calendar as calendar_services
from tenant_apps.rental.properties.services import property_calendar_import, property_update
from tests.api import error_code
from tests.factories import BookingFactory, PropertyFactory, in_days
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings

FEED_URL = "https://channel.example.com/listing/42.ics"


def feed(*events: tuple[str, date, date]) -> bytes:
    """An iCalendar document with all-day events ``(uid, start, end)``."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//other channel//EN")
    cal.add("version", "2.0")
    for uid, start, end in events:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("summary", f"Booked elsewhere {uid}")
        cal.add_component(event)
    return bytes(cal.to_ical())


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Callable[[bytes | Exception], list[str]]:
    """``served(body)``: the next fetches answer ``body`` (or raise it); returns the URLs asked for."""
    asked: list[str] = []

    def serve(body: bytes | Exception) -> list[str]:
        def fake_fetch(url: str) -> bytes:
            asked.append(url)
            if isinstance(body, Exception):
                raise body
            return body

        monkeypatch.setattr(calendar_services, "fetch_calendar", fake_fetch)
        return asked

    return serve


def _with_url(rental: Rental, prop: Property) -> Property:
    with tenant_context(rental.tenant):
        return property_update(actor=rental.hana, prop=prop, ical_import_url=FEED_URL)


def _ical_blocks(rental: Rental, prop: Property) -> dict[str, tuple[date, date]]:
    with tenant_context(rental.tenant):
        rows = BlockedPeriod.objects.filter(property=prop, source=BlockSource.ICAL)
        return {b.uid: (b.start, b.end) for b in rows}


def test_an_import_makes_the_feeds_future_events_blocked_periods(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]]
) -> None:
    # given a feed with two future events and one past
    prop = _with_url(rental, listings.published)
    asked = served(
        feed(("a", in_days(5), in_days(8)), ("b", in_days(20), in_days(21)), ("old", in_days(-9), in_days(-5)))
    )
    # when
    with tenant_context(rental.tenant):
        result = property_calendar_import(property_id=prop.pk)
    # then
    assert asked == [FEED_URL]
    assert result == {"status": "imported", "created": 2, "updated": 0, "removed": 0, "conflicts": []}
    assert _ical_blocks(rental, prop) == {"a": (in_days(5), in_days(8)), "b": (in_days(20), in_days(21))}
    with tenant_context(rental.tenant):
        assert Property.objects.get(pk=prop.pk).ical_imported_at is not None


def test_a_new_import_moves_adds_and_removes_by_uid_and_keeps_manual_blocks(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]]
) -> None:
    # given an earlier import of a and b, and a manual block
    prop = _with_url(rental, listings.published)
    served(feed(("a", in_days(5), in_days(8)), ("b", in_days(20), in_days(21))))
    with tenant_context(rental.tenant):
        property_calendar_import(property_id=prop.pk)
    rental.client("hana").post(
        f"/api/v1/properties/{prop.pk}/blocked-periods/",
        {"start": in_days(40).isoformat(), "end": in_days(41).isoformat()},
        format="json",
    )
    # when the feed now has a moved, b gone, c new
    served(feed(("a", in_days(6), in_days(9)), ("c", in_days(30), in_days(33))))
    with tenant_context(rental.tenant):
        result = property_calendar_import(property_id=prop.pk)
        manual = BlockedPeriod.objects.filter(property=prop, source=BlockSource.MANUAL).count()
    # then
    assert (result["created"], result["updated"], result["removed"]) == (1, 1, 1)
    assert _ical_blocks(rental, prop) == {"a": (in_days(6), in_days(9)), "c": (in_days(30), in_days(33))}
    assert manual == 1


def test_events_over_booked_nights_are_reported_not_imported(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]]
) -> None:
    # given gia's booking of nights 10..13
    prop = _with_url(rental, listings.published)
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=prop, guest=rental.gia, check_in=in_days(10), check_out=in_days(13))
    served(feed(("clash", in_days(12), in_days(14)), ("fine", in_days(13), in_days(14))))
    # when
    with tenant_context(rental.tenant):
        result = property_calendar_import(property_id=prop.pk)
        audited = AuditLogEntry.objects.filter(verb="property.calendar_imported", target_id=str(prop.pk)).last()
    # then
    assert result["conflicts"] == [
        {"uid": "clash", "start": in_days(12).isoformat(), "end": in_days(14).isoformat(), "bookings": [booking.number]}
    ]
    assert _ical_blocks(rental, prop) == {"fine": (in_days(13), in_days(14))}
    assert audited is not None and audited.changes["conflicts"] == result["conflicts"]


@pytest.mark.parametrize(
    "problem", [FetchRefused("The feed's host is not on the public internet."), b"<html>not a calendar</html>"]
)
def test_a_refused_fetch_or_a_broken_feed_changes_nothing(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]], problem: bytes | Exception
) -> None:
    # given an earlier import
    prop = _with_url(rental, listings.published)
    served(feed(("a", in_days(5), in_days(8))))
    with tenant_context(rental.tenant):
        property_calendar_import(property_id=prop.pk)
    # when
    served(problem)
    with tenant_context(rental.tenant):
        result = property_calendar_import(property_id=prop.pk)
        failed = AuditLogEntry.objects.filter(verb="property.calendar_import_failed", target_id=str(prop.pk)).count()
    # then
    assert result["status"] == "failed"
    assert _ical_blocks(rental, prop) == {"a": (in_days(5), in_days(8))}
    assert failed == 1


def test_date_time_events_take_the_nights_they_cover(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]]
) -> None:
    # given a stay from 15:00 on day 5 to 10:00 on day 8, and one until 18:00 on day 12
    prop = _with_url(rental, listings.published)
    d5, d8, d10, d12 = in_days(5), in_days(8), in_days(10), in_days(12)
    served(
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
            f"BEGIN:VEVENT\r\nUID:t1\r\nDTSTART:{d5:%Y%m%d}T150000Z\r\nDTEND:{d8:%Y%m%d}T100000Z\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:t2\r\nDTSTART:{d10:%Y%m%d}T150000Z\r\nDTEND:{d12:%Y%m%d}T180000Z\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:t3\r\nDTSTART;VALUE=DATE:{d12:%Y%m%d}\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n"
        ).encode()
    )
    # when
    with tenant_context(rental.tenant):
        property_calendar_import(property_id=prop.pk)
    # then
    assert _ical_blocks(rental, prop) == {"t1": (d5, d8), "t2": (d10, in_days(13)), "t3": (d12, in_days(13))}


def test_the_host_queues_an_import_through_the_api(
    rental: Rental,
    listings: Listings,
    served: Callable[[bytes | Exception], list[str]],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    url = f"/api/v1/properties/{listings.published.pk}/calendar-import/"
    # given no import URL yet: 400
    missing = rental.client("hana").post(url)
    assert (missing.status_code, error_code(missing)) == (400, "validation_error")
    # when the URL is set and an import is asked for (tasks run eagerly in tests)
    _with_url(rental, listings.published)
    asked = served(feed(("a", in_days(5), in_days(8))))
    with django_capture_on_commit_callbacks(execute=True):
        queued = rental.client("hana").post(url)
    # then
    assert (queued.status_code, queued.json()) == (202, {"status": "queued"})
    assert asked == [FEED_URL]
    assert _ical_blocks(rental, listings.published) == {"a": (in_days(5), in_days(8))}


def test_only_the_host_and_admins_queue_an_import(rental: Rental, listings: Listings) -> None:
    url = f"/api/v1/properties/{listings.published.pk}/calendar-import/"
    draft_url = f"/api/v1/properties/{listings.draft.pk}/calendar-import/"
    assert rental.client(None).post(url).status_code == 401
    for who in ("gia", "hugo", "cora"):
        assert rental.client(who).post(url).status_code == 403
        assert rental.client(who).post(draft_url).status_code == 404
    assert rental.client("admin").post(url).status_code == 400  # no URL set: the admin got past the rules


def test_the_hourly_task_queues_every_property_with_a_url_and_does_nothing_elsewhere(
    rental: Rental,
    listings: Listings,
    gamma: Tenant,
    served: Callable[[bytes | Exception], list[str]],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given one property with an import URL
    prop = _with_url(rental, listings.published)
    with tenant_context(rental.tenant):
        PropertyFactory(host=rental.hugo)
    asked = served(feed(("a", in_days(5), in_days(8))))
    # when beat's task runs in the rental site and in a store
    with tenant_context(rental.tenant), django_capture_on_commit_callbacks(execute=True):
        queued = tasks.properties_calendar_import_all()
    with tenant_context(gamma):
        elsewhere = tasks.properties_calendar_import_all()
        single = tasks.property_calendar_import_task(prop.pk)
    # then
    assert queued == [prop.pk]
    assert asked == [FEED_URL]
    assert (elsewhere, single) == ([], {"status": "skipped"})


def test_imported_blocks_are_exported_as_blocked_without_the_other_channels_notes(
    rental: Rental, listings: Listings, served: Callable[[bytes | Exception], list[str]]
) -> None:
    # given an imported event whose summary names someone
    prop = _with_url(rental, listings.published)
    served(feed(("guest-x", in_days(5), in_days(8))))
    with tenant_context(rental.tenant):
        property_calendar_import(property_id=prop.pk)
    # when the property's own feed is read
    response = rental.client(None).get(f"/api/v1/properties/{prop.pk}/calendar.ics?token={prop.calendar_token}")
    # then the period is there, as "Blocked"
    events = list(icalendar.Calendar.from_ical(response.content).walk("VEVENT"))
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in events] == [(in_days(5), "Blocked")]
