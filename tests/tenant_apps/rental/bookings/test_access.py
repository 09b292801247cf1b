"""Who sees and does what with bookings: a role matrix over every endpoint, what a host sees of a
guest, the list's filters, tickets about a booking, and one site's bookings invisible from another.

The booking of the matrix is gia's stay at hana's flat. ``gus`` is another guest, ``hugo`` another
host, ``cora`` customer service. A booking someone may not see answers 404 like a missing one; a
role rule on a booking they see answers 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.bookings.access import can_link_ticket
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.properties.models import Property
from tests.factories import BookingFactory
from tests.factories.base import in_days
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, QUOTE, booking_url, make_property, stay
from tests.tenant_apps.rental.conftest import Rental, make_rental

PEOPLE = ("gia", "gus", "hana", "hugo", "cora", "admin", None)


@pytest.fixture
def flat(rental: Rental) -> Property:
    with tenant_context(rental.tenant):
        rental.gia.phone = "+351912345678"
        rental.gia.save(update_fields=["phone"])
        return make_property(rental.hana)


@pytest.fixture
def booking(rental: Rental, flat: Property) -> Booking:
    """Gia's pending stay at hana's flat, nights 30..33."""
    with tenant_context(rental.tenant):
        return BookingFactory(property=flat, guest=rental.gia)


def _call(rental: Rental, who: str | None, endpoint: str, booking: Booking, flat: Property) -> int:
    client = rental.client(who)
    if endpoint == "quote":
        response = client.get(QUOTE, {k: str(v) for k, v in stay(flat, start=40).items()})
    elif endpoint == "list":
        response = client.get(BOOKINGS)
    elif endpoint == "create":
        response = client.post(BOOKINGS, stay(flat, start=50), format="json")
    elif endpoint == "detail":
        response = client.get(booking_url(booking.pk))
    elif endpoint == "pay":  # online payments are off in tests: a guest who may pay meets the 503
        response = client.post(booking_url(booking.pk, "pay/"))
    else:
        response = client.post(booking_url(booking.pk, "cancel/"), {"reason": "matrix"}, format="json")
    assert response.status_code < 500 or response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.status_code


MATRIX: dict[str, dict[str | None, int]] = {
    #          gia  gus  hana hugo cora admin anonymous
    "quote": dict(zip(PEOPLE, (200, 200, 200, 200, 200, 200, 200), strict=True)),
    "list": dict(zip(PEOPLE, (200, 200, 200, 200, 200, 200, 401), strict=True)),
    "create": dict(zip(PEOPLE, (201, 201, 403, 403, 403, 403, 401), strict=True)),
    "detail": dict(zip(PEOPLE, (200, 404, 200, 404, 200, 200, 401), strict=True)),
    "pay": dict(zip(PEOPLE, (503, 404, 403, 404, 403, 403, 401), strict=True)),
    "cancel": dict(zip(PEOPLE, (200, 404, 403, 404, 403, 200, 401), strict=True)),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(rental: Rental, flat: Property, booking: Booking, endpoint: str, who: str | None) -> None:
    assert _call(rental, who, endpoint, booking, flat) == MATRIX[endpoint][who]


@pytest.mark.parametrize(
    ("who", "count"), [("gia", 1), ("gus", 0), ("hana", 1), ("hugo", 0), ("cora", 1), ("admin", 1)]
)
def test_each_sees_only_the_bookings_theirs_to_see(rental: Rental, booking: Booking, who: str, count: int) -> None:
    response = rental.client(who).get(BOOKINGS)
    assert [b["id"] for b in response.json()["results"]] == [booking.pk] * count


@pytest.mark.parametrize(("who", "contact"), [("gia", True), ("hana", False), ("cora", True), ("admin", True)])
def test_the_host_sees_the_guest_name_and_party_but_not_their_email_or_phone(
    rental: Rental, booking: Booking, who: str, contact: bool
) -> None:
    # when
    detail = rental.client(who).get(booking_url(booking.pk)).json()
    listed = rental.client(who).get(BOOKINGS).json()["results"][0]
    # then
    for body in (detail, listed):
        assert (body["guest"]["name"], body["guests"]) == ("Gia Guest", 2)
        expected = ("gia@echo.test", "+351912345678") if contact else (None, None)
        assert (body["guest"]["email"], body["guest"]["phone"]) == expected
    assert "gia@echo.test" not in str(detail) or contact


def test_the_guest_does_not_see_the_site_commission_but_the_host_does(rental: Rental, booking: Booking) -> None:
    as_guest = rental.client("gia").get(booking_url(booking.pk)).json()
    as_host = rental.client("hana").get(booking_url(booking.pk)).json()
    assert (as_guest["commission"], as_guest["host_payout"]) == (None, None)
    assert (as_host["commission"], as_host["host_payout"]) == ("0.00", "0.00")


def test_the_list_filters_by_status_property_and_dates(rental: Rental, flat: Property, booking: Booking) -> None:
    # given: gia's pending stay (30..33), a cancelled one at 40..43, and gus's stay at hugo's place
    with tenant_context(rental.tenant):
        cancelled = BookingFactory(property=flat, guest=rental.gia, cancelled=True, check_in=in_days(40))
        other = BookingFactory(property=make_property(rental.hugo), guest=rental.gus, check_in=in_days(31))

    def ids(**query: Any) -> list[int]:
        response = rental.client("admin").get(BOOKINGS, query)
        assert response.status_code == 200, response.content
        return sorted(b["id"] for b in response.json()["results"])

    # then
    assert ids(status="cancelled") == [cancelled.pk]
    assert ids(status=["pending", "cancelled"]) == sorted([booking.pk, cancelled.pk, other.pk])
    assert ids(property=str(flat.pk)) == sorted([booking.pk, cancelled.pk])
    assert ids(check_in_after=in_days(35).isoformat()) == [cancelled.pk]
    assert ids(occupies_from=in_days(32).isoformat(), occupies_to=in_days(33).isoformat()) == sorted(
        [booking.pk, other.pk]
    )
    for bad in ({"status": "lost"}, {"property": "x"}, {"check_in_after": "tomorrow"}, {"property": "0"}):
        response = rental.client("admin").get(BOOKINGS, bad)
        assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error", bad


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("gia", True), ("hana", True), ("cora", True), ("admin", True), ("gus", False), ("hugo", False)],
)
def test_a_ticket_about_a_booking_may_be_opened_by_whoever_sees_it(
    rental: Rental, booking: Booking, who: str, allowed: bool
) -> None:
    # given / when: the rule, then the tickets API
    with tenant_context(rental.tenant):
        assert can_link_ticket(getattr(rental, who), booking) is allowed
    response = rental.client(who).post(
        "/api/v1/tickets/",
        {
            "subject": "About my stay",
            "body": "Late arrival.",
            "target": {"type": "bookings.booking", "id": str(booking.pk)},
        },
        format="json",
    )
    # then
    assert (response.status_code == 201) is allowed, response.content


def test_a_sites_bookings_are_invisible_from_another_site(
    rental: Rental, booking: Booking, foxtrot: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: foxtrot's own people, with tokens of foxtrot
    other = make_rental(foxtrot, client_for, login)
    # when: each of them asks foxtrot for echo's booking by id, and lists foxtrot's bookings
    for who in ("admin", "cora", "gia", "hana"):
        detail = other.client(who).get(booking_url(booking.pk))
        listed = other.client(who).get(BOOKINGS)
        cancel = other.client(who).post(booking_url(booking.pk, "cancel/"), {}, format="json")
        # then
        assert detail.status_code == 404, (who, detail.content)
        assert listed.status_code == 200 and listed.json()["results"] == []
        assert cancel.status_code == 404
    # and an echo token is refused by foxtrot
    assert client_for(foxtrot, login(rental.tenant, rental.admin.email)["access"]).get(BOOKINGS).status_code == 401
    with tenant_context(rental.tenant):
        assert Booking.objects.get(pk=booking.pk).status == "pending"
