"""The iCalendar feed: exported without a login behind its token, read back by ``icalendar`` (round
trip), and the token rotated by the host."""

from __future__ import annotations

from datetime import date

import icalendar
from django_tenants.utils import tenant_context

from tests.api import error_code
from tests.factories import BlockedPeriodFactory, BookingFactory, in_days
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings


def _feed_url(listings: Listings, token: str | None = None) -> str:
    prop = listings.published
    return f"/api/v1/properties/{prop.pk}/calendar.ics?token={token if token is not None else prop.calendar_token}"


def test_the_feed_round_trips_one_all_day_event_per_taken_period(rental: Rental, listings: Listings) -> None:
    # given a pending and a confirmed booking, a cancelled one, and a blocked period
    with tenant_context(rental.tenant):
        pending = BookingFactory(
            property=listings.published, guest=rental.gia, check_in=in_days(10), check_out=in_days(13)
        )
        confirmed = BookingFactory(
            property=listings.published, guest=rental.gus, check_in=in_days(13), check_out=in_days(15), confirmed=True
        )
        BookingFactory(
            property=listings.published, guest=rental.gus, check_in=in_days(20), check_out=in_days(22), cancelled=True
        )
        block = BlockedPeriodFactory(property=listings.published, start=in_days(30), end=in_days(32), summary="Works")
    # when a calendar app fetches the feed (no login)
    response = rental.client(None).get(_feed_url(listings))
    # then it parses back with icalendar into exactly those periods, all-day, check-out exclusive
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    events = {
        str(e["uid"]): (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"])) for e in parsed.walk("VEVENT")
    }
    host = "echo.localhost"
    assert events == {
        f"booking-{pending.number}@{host}": (in_days(10), in_days(13), "Reserved"),
        f"booking-{confirmed.number}@{host}": (in_days(13), in_days(15), "Reserved"),
        f"block-{block.pk}@{host}": (in_days(30), in_days(32), "Works"),
    }
    assert all(type(start) is date for start, _end, _summary in events.values())
    # and no guest's personal data is in it
    text = response.content.decode()
    assert "gia@" not in text and "Gia" not in text and "Gus" not in text


def test_a_wrong_or_missing_token_answers_404_json(rental: Rental, listings: Listings) -> None:
    client = rental.client(None)
    for url in (
        _feed_url(listings, "wrong"),
        _feed_url(listings, ""),
        f"/api/v1/properties/{listings.published.pk}/calendar.ics",
        f"/api/v1/properties/987654321/calendar.ics?token={listings.published.calendar_token}",
    ):
        response = client.get(url, HTTP_ACCEPT="text/calendar")
        assert (response.status_code, error_code(response)) == (404, "not_found"), url
        assert response["Content-Type"] == "application/json"


def test_the_host_rotates_the_token_and_the_old_url_stops_working(rental: Rental, listings: Listings) -> None:
    old = _feed_url(listings)
    # when
    rotated = rental.client("hana").post(f"/api/v1/properties/{listings.published.pk}/calendar-token/")
    # then
    assert rotated.status_code == 200, rotated.content
    new_url = rotated.json()["calendar_url"]
    assert listings.published.calendar_token not in new_url
    assert rental.client(None).get(old).status_code == 404
    assert rental.client(None).get(new_url.split("localhost", 1)[1]).status_code == 200
    detail = rental.client("hana").get(f"/api/v1/properties/{listings.published.pk}/").json()
    assert detail["calendar_url"] == new_url


def test_only_the_host_and_admins_rotate_the_token(rental: Rental, listings: Listings) -> None:
    url = f"/api/v1/properties/{listings.published.pk}/calendar-token/"
    draft_url = f"/api/v1/properties/{listings.draft.pk}/calendar-token/"
    assert rental.client(None).post(url).status_code == 401
    for who in ("gia", "hugo", "cora"):
        assert rental.client(who).post(url).status_code == 403
        assert rental.client(who).post(draft_url).status_code == 404
    assert rental.client("admin").post(url).status_code == 200
