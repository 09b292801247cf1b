"""Blocked dates: the host and admins close nights; nights a booking holds cannot be blocked."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.api import error_code
from tests.factories import BlockedPeriodFactory, BookingFactory, in_days
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings


def _url(listings: Listings) -> str:
    return f"/api/v1/properties/{listings.published.pk}/blocked-periods/"


def _dates(start: int, end: int, summary: str = "") -> dict[str, str]:
    return {"start": in_days(start).isoformat(), "end": in_days(end).isoformat(), "summary": summary}


def test_the_host_blocks_lists_and_frees_nights(rental: Rental, listings: Listings) -> None:
    hana = rental.client("hana")
    # when
    made = hana.post(_url(listings), _dates(5, 8, "Painting"), format="json")
    # then
    assert made.status_code == 201, made.content
    assert made.json() | {"id": 0, "created_at": None} == {
        "id": 0,
        "start": in_days(5).isoformat(),
        "end": in_days(8).isoformat(),
        "summary": "Painting",
        "source": "manual",
        "uid": "",
        "created_at": None,
    }
    listed = hana.get(_url(listings)).json()["results"]
    assert [b["id"] for b in listed] == [made.json()["id"]]
    # and the search no longer offers those nights
    search = rental.client(None).get(
        "/api/v1/properties/", {"check_in": in_days(7).isoformat(), "check_out": in_days(9).isoformat()}
    )
    assert listings.published.pk not in {p["id"] for p in search.json()["results"]}
    # when
    assert hana.delete(f"{_url(listings)}{made.json()['id']}/").status_code == 204
    # then
    assert hana.get(_url(listings)).json()["results"] == []


def test_nights_a_booking_holds_cannot_be_blocked_but_its_check_out_day_can(rental: Rental, listings: Listings) -> None:
    # given gia's booking of nights 10..13
    with tenant_context(rental.tenant):
        booking = BookingFactory(
            property=listings.published, guest=rental.gia, check_in=in_days(10), check_out=in_days(13)
        )
    hana = rental.client("hana")
    # when
    overlapping = hana.post(_url(listings), _dates(12, 15), format="json")
    from_check_out = hana.post(_url(listings), _dates(13, 15), format="json")
    until_check_in = hana.post(_url(listings), _dates(8, 10), format="json")
    # then
    assert (overlapping.status_code, error_code(overlapping)) == (409, "dates_unavailable")
    assert overlapping.json()["error"]["details"]["bookings"] == [booking.number]
    assert (from_check_out.status_code, until_check_in.status_code) == (201, 201)


def test_a_cancelled_booking_does_not_hold_its_nights(rental: Rental, listings: Listings) -> None:
    with tenant_context(rental.tenant):
        BookingFactory(
            property=listings.published, guest=rental.gia, check_in=in_days(10), check_out=in_days(13), cancelled=True
        )
    assert rental.client("hana").post(_url(listings), _dates(10, 13), format="json").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"start": "2030-01-10", "end": "2030-01-10"},
        {"start": "2030-01-12", "end": "2030-01-10"},
        {"start": "2020-01-01", "end": "2020-01-05"},
        {"start": "2030-01-10"},
        {"start": "tomorrow", "end": "2030-01-10"},
        {"start": "2030-01-01", "end": "2035-01-01"},
        {"start": "2030-01-01", "end": "2030-01-05", "summary": 5},
    ],
)
def test_impossible_periods_answer_400(rental: Rental, listings: Listings, body: dict[str, Any]) -> None:
    response = rental.client("hana").post(_url(listings), body, format="json")
    assert (response.status_code, error_code(response)) == (400, "validation_error"), response.content


@pytest.mark.parametrize(
    ("who", "published", "draft"),
    [(None, 401, 401), ("gia", 403, 404), ("cora", 403, 404), ("hugo", 403, 404), ("admin", 200, 200)],
)
def test_only_the_host_and_admins_reach_blocked_dates(
    rental: Rental, listings: Listings, who: str | None, published: int, draft: int
) -> None:
    with tenant_context(rental.tenant):
        blocks = {
            listings.published.pk: BlockedPeriodFactory(property=listings.published),
            listings.draft.pk: BlockedPeriodFactory(property=listings.draft),
        }
    client = rental.client(who)
    for prop, expected in ((listings.published, published), (listings.draft, draft)):
        url = f"/api/v1/properties/{prop.pk}/blocked-periods/"
        created = 201 if expected == 200 else expected
        deleted = 204 if expected == 200 else expected
        assert client.get(url).status_code == expected
        assert client.post(url, _dates(40, 41), format="json").status_code == created
        assert client.delete(f"{url}{blocks[prop.pk].pk}/").status_code == deleted
