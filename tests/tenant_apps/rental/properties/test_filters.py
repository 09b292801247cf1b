"""The property list's filters, each alone, and the 400s for malformed values."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.api import error_code
from tests.factories import AmenityFactory, BlockedPeriodFactory, BookingFactory, PropertyFactory, in_days
from tests.tenant_apps.rental.conftest import Rental

LIST = "/api/v1/properties/"


@pytest.fixture
def town(rental: Rental) -> Rental:
    """Three properties of hana's and hugo's: ``Lisbon loft`` (PT, 80, 2 guests, 1 bedroom, wifi,
    booked 10..13 days ahead), ``Porto house`` (PT, 150, 6 guests, 3 bedrooms, wifi and pool,
    blocked 20..25 days ahead), ``Paris studio`` (FR, 200, 2 guests, 0 bedrooms)."""
    with tenant_context(rental.tenant):
        wifi = AmenityFactory(name="Wifi", slug="wifi")
        pool = AmenityFactory(name="Pool", slug="pool")
        loft = PropertyFactory(
            host=rental.hana,
            title="Lisbon loft",
            description="Near the river",
            nightly_price="80.00",
            max_guests=2,
            bedrooms=1,
            amenities=[wifi],
        )
        house = PropertyFactory(
            host=rental.hana,
            title="Porto house",
            city="Porto",
            latitude="41.150000",
            longitude="-8.610000",
            nightly_price="150.00",
            max_guests=6,
            bedrooms=3,
            amenities=[wifi, pool],
        )
        PropertyFactory(
            host=rental.hugo,
            title="Paris studio",
            city="Paris",
            country="FR",
            latitude="48.860000",
            longitude="2.350000",
            nightly_price="200.00",
            max_guests=2,
            bedrooms=0,
        )
        BookingFactory(property=loft, guest=rental.gia, check_in=in_days(10), check_out=in_days(13))
        BlockedPeriodFactory(property=house, start=in_days(20), end=in_days(25))
    return rental


def titles(rental: Rental, **params: Any) -> set[str]:
    response = rental.client(None).get(LIST, params)
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


ALL = {"Lisbon loft", "Porto house", "Paris studio"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ALL),
        ({"city": "porto"}, {"Porto house"}),
        ({"city": "Port"}, set()),
        ({"country": "fr"}, {"Paris studio"}),
        ({"min_price": "100"}, {"Porto house", "Paris studio"}),
        ({"max_price": "150"}, {"Lisbon loft", "Porto house"}),
        ({"min_price": "100", "max_price": "150"}, {"Porto house"}),
        ({"guests": "3"}, {"Porto house"}),
        ({"bedrooms": "1"}, {"Lisbon loft", "Porto house"}),
        ({"amenities": "wifi"}, {"Lisbon loft", "Porto house"}),
        ({"amenities": "wifi,pool"}, {"Porto house"}),
        ({"amenities": "wifi,sauna"}, set()),
        ({"bbox": "-9.5,38.5,-8.0,41.5"}, {"Lisbon loft", "Porto house"}),
        ({"bbox": "2,48,3,49"}, {"Paris studio"}),
        ({"search": "river"}, {"Lisbon loft"}),
        ({"search": "PARIS"}, {"Paris studio"}),
    ],
)
def test_each_filter_narrows_the_list(town: Rental, params: dict[str, str], expected: set[str]) -> None:
    assert titles(town, **params) == expected


def test_dates_exclude_properties_booked_or_blocked_on_any_night(town: Rental) -> None:
    # when: nights 12..14 (the loft is booked 10..13), 22..23 (the house is blocked 20..25)
    booked = titles(town, check_in=in_days(12).isoformat(), check_out=in_days(14).isoformat())
    blocked = titles(town, check_in=in_days(22).isoformat(), check_out=in_days(23).isoformat())
    # then
    assert booked == ALL - {"Lisbon loft"}
    assert blocked == ALL - {"Porto house"}


def test_a_stay_may_start_on_another_stays_check_out_day(town: Rental) -> None:
    # when: from the loft's check-out day (13), and ending on its check-in day (10)
    after = titles(town, check_in=in_days(13).isoformat(), check_out=in_days(15).isoformat())
    before = titles(town, check_in=in_days(8).isoformat(), check_out=in_days(10).isoformat())
    # then
    assert after == before == ALL


def test_a_cancelled_booking_frees_its_nights_for_the_search(town: Rental) -> None:
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.bookings.services import booking_cancel

    # given: gia cancels her booking of the loft's nights 10..13
    with tenant_context(town.tenant):
        for booking in Booking.objects.all():
            booking_cancel(booking=booking, actor=booking.guest, reason="Plans changed.")
    assert titles(town, check_in=in_days(11).isoformat(), check_out=in_days(12).isoformat()) == ALL


@pytest.mark.parametrize(
    ("ordering", "first"),
    [("nightly_price", "Lisbon loft"), ("-nightly_price", "Paris studio"), ("title", "Lisbon loft")],
)
def test_the_list_is_ordered_on_request(town: Rental, ordering: str, first: str) -> None:
    response = town.client(None).get(LIST, {"ordering": ordering})
    assert response.json()["results"][0]["title"] == first


@pytest.mark.parametrize(
    "params",
    [
        {"check_in": "2030-01-10"},
        {"check_out": "2030-01-10"},
        {"check_in": "2030-01-10", "check_out": "2030-01-10"},
        {"check_in": "2030-01-12", "check_out": "2030-01-10"},
        {"check_in": "2030-01-10", "check_out": "2032-01-10"},
        {"check_in": "10/01/2030", "check_out": "2030-01-12"},
        {"check_in": "2030-02-30", "check_out": "2030-03-02"},
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "10,0,0,10"},
        {"bbox": "0,-91,1,1"},
        {"bbox": "1e1,0,20,10"},
        {"guests": "two"},
        {"guests": "2.0"},
        {"bedrooms": "-1"},
        {"min_price": "cheap"},
        {"mine": "maybe"},
    ],
)
def test_malformed_filters_answer_400(rental: Rental, params: dict[str, str]) -> None:
    response = rental.client(None).get(LIST, params)
    assert (response.status_code, error_code(response)) == (400, "validation_error"), response.content
