"""Properties through the API: who lists, reads, changes, publishes and unpublishes what, and the
400s for values a property cannot have."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from pytest_django import Settings

from tenant_apps.rental.properties.models import Property
from tests.api import error_code
from tests.factories import AmenityFactory
from tests.tenant_apps.rental.conftest import Rental
from tests.tenant_apps.rental.properties.conftest import Listings, valid_property

LIST = "/api/v1/properties/"


def detail(prop: Property) -> str:
    return f"/api/v1/properties/{prop.pk}/"


def titles(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


# --- Reading -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees_draft"),
    [(None, False), ("gia", False), ("hugo", False), ("cora", False), ("hana", True), ("admin", True)],
)
def test_the_list_shows_published_properties_and_drafts_only_to_their_host_and_admins(
    rental: Rental, listings: Listings, who: str | None, sees_draft: bool
) -> None:
    # when
    listed = titles(rental.client(who).get(LIST))
    draft = rental.client(who).get(detail(listings.draft))
    # then
    assert "Sunny loft" in listed
    assert ("Secret draft" in listed) is sees_draft
    assert draft.status_code == (200 if sees_draft else 404)


def test_a_host_lists_only_her_own_with_mine(rental: Rental, listings: Listings) -> None:
    # given a property of hugo's
    rental.client("hugo").post(LIST, valid_property(title="Hugo's hut"), format="json")
    # when
    mine = titles(rental.client("hana").get(LIST, {"mine": "true"}))
    anonymous = titles(rental.client(None).get(LIST, {"mine": "true"}))
    # then
    assert mine == {"Sunny loft", "Secret draft"}
    assert anonymous == set()


def test_the_calendar_url_and_import_url_are_shown_to_the_host_and_admins_only(
    rental: Rental, listings: Listings
) -> None:
    # when
    as_host = rental.client("hana").get(detail(listings.published)).json()
    as_admin = rental.client("admin").get(detail(listings.published)).json()
    as_guest = rental.client("gia").get(detail(listings.published)).json()
    # then
    assert listings.published.calendar_token in as_host["calendar_url"]
    assert as_admin["calendar_url"] == as_host["calendar_url"]
    assert (as_guest["calendar_url"], as_guest["ical_import_url"]) == (None, None)
    assert listings.published.calendar_token not in str(as_guest)
    assert "email" not in as_guest["host"]


# --- Creating ----------------------------------------------------------------------------------


def test_a_host_lists_a_property_as_its_host_whatever_the_body_says(rental: Rental) -> None:
    # given
    with tenant_context(rental.tenant):
        AmenityFactory(name="Wifi", slug="wifi")
        AmenityFactory(name="Pool", slug="pool")
    body = valid_property(amenities=["wifi", "pool"], host=rental.hugo.pk, calendar_token="x" * 32)
    # when
    response = rental.client("hana").post(LIST, body, format="json")
    # then
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["host"]["id"] == rental.hana.pk
    assert (made["nightly_price"], made["cleaning_fee"], made["currency"]) == ("120.00", "30.00", "USD")
    assert made["amenities"] == ["pool", "wifi"]
    assert (made["check_in_time"], made["minimum_nights"], made["status"]) == ("16:00:00", 2, "published")
    with tenant_context(rental.tenant):
        assert Property.objects.get(pk=made["id"]).calendar_token != "x" * 32


def test_a_host_may_start_with_a_draft(rental: Rental) -> None:
    response = rental.client("hana").post(LIST, valid_property(status="unpublished"), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "unpublished"
    assert rental.client("gia").get(f"{LIST}{response.json()['id']}/").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [(None, 401), ("gia", 403), ("cora", 403), ("admin", 201)])
def test_guests_and_agents_cannot_list_a_property(rental: Rental, who: str | None, expected: int) -> None:
    response = rental.client(who).post(LIST, valid_property(), format="json")
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"nightly_price": "0"}, "nightly_price", "invalid_amount"),
        ({"nightly_price": "10.005"}, "nightly_price", "validation_error"),
        ({"nightly_price": "1e3"}, "nightly_price", "validation_error"),
        ({"currency": "EUR"}, "currency", "invalid_currency"),  # not the site's: hosts are paid in USD
        ({"cleaning_fee": "-1"}, "cleaning_fee", "validation_error"),
        ({"currency": "XYZ"}, "currency", "invalid_currency"),
        ({"currency": 978}, "currency", "validation_error"),
        ({"country": "XX"}, "country", "validation_error"),
        ({"country": "Portugal"}, "country", "validation_error"),
        ({"latitude": "90.5"}, "latitude", "validation_error"),
        ({"longitude": "-181"}, "longitude", "validation_error"),
        ({"max_guests": 0}, "max_guests", "validation_error"),
        ({"minimum_nights": 0}, "minimum_nights", "validation_error"),
        ({"bedrooms": -1}, "bedrooms", "validation_error"),
        ({"check_in_time": "25:00"}, "check_in_time", "validation_error"),
        ({"cancellation_policy": "lenient"}, "cancellation_policy", "validation_error"),
        ({"amenities": ["no-such-amenity"]}, "amenities", "validation_error"),
        ({"title": "   "}, "title", "validation_error"),
        ({"ical_import_url": "http://example.com/cal.ics"}, "ical_import_url", "validation_error"),
        ({"ical_import_url": "https://user:pw@example.com/cal.ics"}, "ical_import_url", "validation_error"),
        ({"ical_import_url": "file:///etc/passwd"}, "ical_import_url", "validation_error"),
    ],
)
def test_values_a_property_cannot_have_answer_400_naming_the_field(
    rental: Rental, changes: dict[str, Any], field: str, code: str
) -> None:
    # when
    response = rental.client("hana").post(LIST, valid_property(**changes), format="json")
    # then
    assert (response.status_code, error_code(response)) == (400, code), response.content
    assert field in response.json()["error"].get("details", {}), response.content


def test_on_a_yen_site_a_property_takes_whole_prices_and_a_free_cleaning(rental: Rental, settings: Settings) -> None:
    # given a deployment whose currency (the wallets') is the yen
    settings.DEFAULT_CURRENCY = "JPY"
    # when / then
    body = valid_property(currency="jpy", nightly_price="15000", cleaning_fee="0")
    response = rental.client("hana").post(LIST, body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["currency"], response.json()["cleaning_fee"]) == ("JPY", "0.00")
    refused = rental.client("hana").post(LIST, valid_property(currency="JPY", nightly_price="1000.5"), format="json")
    assert (refused.status_code, error_code(refused)) == (400, "invalid_amount")


# --- Changing ----------------------------------------------------------------------------------


def test_the_host_changes_her_property(rental: Rental, listings: Listings) -> None:
    # when
    response = rental.client("hana").patch(
        detail(listings.published),
        {
            "nightly_price": "150.00",
            "max_guests": 6,
            "ical_import_url": "https://example.com/a.ics",
            "status": "unpublished",
        },
        format="json",
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["nightly_price"], body["max_guests"], body["status"]) == ("150.00", 6, "published")
    assert body["ical_import_url"] == "https://example.com/a.ics"


def test_a_property_cannot_move_to_a_currency_its_host_is_not_paid_in(rental: Rental, listings: Listings) -> None:
    # when the host asks for euros on a dollar site (the wallets hold dollars)
    refused = rental.client("hana").patch(detail(listings.published), {"currency": "EUR"}, format="json")
    # then nothing changes
    assert (refused.status_code, error_code(refused)) == (400, "invalid_currency")
    assert rental.client("hana").get(detail(listings.published)).json()["currency"] == "USD"


@pytest.mark.parametrize(
    ("who", "published", "draft"),
    [
        (None, 401, 401),
        ("gia", 403, 404),
        ("cora", 403, 404),
        ("hugo", 403, 404),
        ("hana", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_only_the_host_and_admins_change_publish_and_unpublish(
    rental: Rental, listings: Listings, who: str | None, published: int, draft: int
) -> None:
    client = rental.client(who)
    for prop, expected in ((listings.published, published), (listings.draft, draft)):
        # when
        answers = [
            client.patch(detail(prop), {"title": "Mine now"}, format="json").status_code,
            client.post(f"{detail(prop)}unpublish/").status_code,
            client.post(f"{detail(prop)}publish/").status_code,
        ]
        # then
        assert answers == [expected] * 3, (prop.title, answers)


def test_unpublishing_hides_a_property_and_publishing_lists_it_again(rental: Rental, listings: Listings) -> None:
    hana, gia = rental.client("hana"), rental.client("gia")
    # when
    hidden = hana.post(f"{detail(listings.published)}unpublish/")
    # then
    assert hidden.json()["status"] == "unpublished"
    assert gia.get(detail(listings.published)).status_code == 404
    assert "Sunny loft" not in titles(gia.get(LIST))
    # when
    hana.post(f"{detail(listings.published)}publish/")
    # then
    assert gia.get(detail(listings.published)).status_code == 200


def test_a_host_who_lost_the_role_cannot_change_her_property(rental: Rental, listings: Listings) -> None:
    # given hana is a guest now
    from django.contrib.auth.models import Group

    with tenant_context(rental.tenant):
        rental.hana.groups.remove(Group.objects.get(name="host"))
        rental.hana.groups.add(Group.objects.get(name="guest"))
    # when
    response = rental.client("hana").patch(detail(listings.published), {"title": "Still mine?"}, format="json")
    # then
    assert response.status_code == 403, response.content


# --- Amenities ---------------------------------------------------------------------------------


def test_admins_manage_amenities_and_anyone_lists_them(rental: Rental) -> None:
    admin = rental.client("admin")
    # when
    made = admin.post("/api/v1/amenities/", {"name": "Free parking"}, format="json")
    taken = admin.post("/api/v1/amenities/", {"name": "Parking", "slug": "free-parking"}, format="json")
    bad_slug = admin.post("/api/v1/amenities/", {"name": "Sauna", "slug": "Sauna Room"}, format="json")
    # then
    assert made.status_code == 201, made.content
    assert made.json()["slug"] == "free-parking"
    assert (taken.status_code, error_code(taken)) == (400, "validation_error")
    assert bad_slug.status_code == 400
    listed = rental.client(None).get("/api/v1/amenities/")
    assert [a["slug"] for a in listed.json()["results"]] == ["free-parking"]
    pk = made.json()["id"]
    renamed = admin.patch(f"/api/v1/amenities/{pk}/", {"name": "Parking"}, format="json")
    assert renamed.json() | {"id": 0} == {"id": 0, "name": "Parking", "slug": "free-parking"}
    assert admin.delete(f"/api/v1/amenities/{pk}/").status_code == 204
    assert rental.client(None).get(f"/api/v1/amenities/{pk}/").status_code == 404


@pytest.mark.parametrize(("who", "expected"), [(None, 401), ("gia", 403), ("hana", 403), ("cora", 403)])
def test_only_admins_write_amenities(rental: Rental, who: str | None, expected: int) -> None:
    with tenant_context(rental.tenant):
        amenity = AmenityFactory(name="Wifi", slug="wifi")
    client = rental.client(who)
    assert client.post("/api/v1/amenities/", {"name": "Pool"}, format="json").status_code == expected
    assert client.patch(f"/api/v1/amenities/{amenity.pk}/", {"name": "W"}, format="json").status_code == expected
    assert client.delete(f"/api/v1/amenities/{amenity.pk}/").status_code == expected
    assert client.get(f"/api/v1/amenities/{amenity.pk}/").status_code == 200


def test_changing_only_the_amenities_is_a_change(rental: Rental, listings: Listings) -> None:
    with tenant_context(rental.tenant):
        AmenityFactory(name="Pool", slug="pool")
    before = rental.client("hana").get(detail(listings.published)).json()["updated_at"]
    response = rental.client("hana").patch(detail(listings.published), {"amenities": ["pool"]}, format="json")
    assert response.json()["amenities"] == ["pool"]
    assert response.json()["updated_at"] > before
