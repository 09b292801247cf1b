"""Booking a stay through the API: ``POST /api/v1/bookings/`` and the public quote.

The price is computed once (nights x nightly price + cleaning fee), the booking is pending and
holds its dates, an invoice bills it, and the host hears of it. Every rule of the issue answers
400 ``validation_error`` naming the field, an overlap 409 ``dates_unavailable``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.properties.models import Property
from tests.factories import BlockedPeriodFactory, BookingFactory
from tests.factories.base import in_days
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, QUOTE, error_code, make_property, stay
from tests.tenant_apps.rental.conftest import Rental


@pytest.fixture
def flat(rental: Rental) -> Property:
    """Hana's published flat: 100.00 a night, 30.00 cleaning, 4 guests, 2 nights minimum."""
    with tenant_context(rental.tenant):
        return make_property(rental.hana)


def test_a_guest_books_a_stay_priced_once_pending_and_invoiced(rental: Rental, flat: Property) -> None:
    # given: a guest and hana's flat
    # when: gia books 3 nights for 2
    response = rental.client("gia").post(BOOKINGS, stay(flat, start=30, nights=3), format="json")
    # then: 3 x 100.00 + 30.00, pending, held, with its invoice
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["nights"], body["nightly_price"], body["cleaning_fee"], body["total"]) == (
        "pending",
        3,
        "100.00",
        "30.00",
        "330.00",
    )
    assert body["currency"] == settings.DEFAULT_CURRENCY and body["number"].startswith("BK-")
    assert body["guest"]["email"] == rental.gia.email  # the guest sees their own contact
    with tenant_context(rental.tenant):
        booking = Booking.objects.get(pk=body["id"])
        invoice = Invoice.objects.get(pk=body["invoice"]["id"])
        lines = [(line.description, line.quantity, str(line.unit_price)) for line in invoice.lines.order_by("position")]
        host_heard = Notification.objects.filter(recipient=rental.hana, verb="booking.requested").count()
    assert body["invoice"]["number"] == invoice.number and invoice.customer_id == rental.gia.pk
    assert str(invoice.total) == "330.00" and invoice.status == "unpaid"
    assert lines == [
        (f"3 nights at Sea View Flat ({in_days(30)}–{in_days(33)})", 3, "100.00"),
        ("Cleaning fee", 1, "30.00"),
    ]
    assert booking.expires_at is not None
    held = booking.expires_at - timezone.now()
    assert (
        timedelta(minutes=settings.RENTAL_BOOKING_HOLD_MINUTES - 1)
        < held
        <= timedelta(minutes=settings.RENTAL_BOOKING_HOLD_MINUTES)
    )
    assert host_heard == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda: {"check_out": in_days(30).isoformat()}, "check_out"),  # check-out on check-in day
        (lambda: {"check_out": in_days(28).isoformat()}, "check_out"),  # check-out before check-in
        (lambda: {"check_in": in_days(-1).isoformat(), "check_out": in_days(2).isoformat()}, "check_in"),  # past
        (lambda: {"check_out": in_days(31).isoformat()}, "check_out"),  # 1 night, minimum 2
        (lambda: {"check_out": in_days(30 + 366).isoformat()}, "check_out"),  # over a year
        (lambda: {"guests": 5}, "guests"),  # above max_guests
        (lambda: {"guests": 0}, "guests"),
        (lambda: {"guests": "2"}, None),  # a numeric string is fine for an integer
        (lambda: {"check_in": "2030-02-30"}, "check_in"),
        (lambda: {"check_in": 20300101}, "check_in"),
        (lambda: {"property": 999999}, "property"),
        (lambda: {"property": "flat"}, "property"),
    ],
)
def test_a_stay_the_rules_refuse_answers_400_naming_the_field(
    rental: Rental, flat: Property, change: Callable[[], dict[str, Any]], field: str | None
) -> None:
    # given: a valid stay, changed in one way (dates computed now, not when the tests were
    # collected: a run that crosses midnight would shift them by a day)
    body = {**stay(flat, start=30, nights=3), **change()}
    # when
    response = rental.client("gia").post(BOOKINGS, body, format="json")
    # then
    if field is None:
        assert response.status_code == 201, response.content
        return
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert field in response.json()["error"]["details"]
    with tenant_context(rental.tenant):
        assert not Booking.objects.filter(property=flat).exists()


def test_overlapping_nights_answer_409_and_a_stay_may_start_on_a_check_out_day(rental: Rental, flat: Property) -> None:
    # given: gia holds nights 30..33
    assert rental.client("gia").post(BOOKINGS, stay(flat, start=30, nights=3), format="json").status_code == 201
    # when: gus wants nights 32..34, then 33..35
    overlap = rental.client("gus").post(BOOKINGS, stay(flat, start=32, nights=2), format="json")
    after = rental.client("gus").post(BOOKINGS, stay(flat, start=33, nights=2), format="json")
    before = rental.client("gus").post(BOOKINGS, stay(flat, start=28, nights=2), format="json")
    # then
    assert overlap.status_code == 409 and error_code(overlap) == "dates_unavailable"
    assert after.status_code == 201, after.content
    assert before.status_code == 201, before.content


def test_blocked_nights_answer_409(rental: Rental, flat: Property) -> None:
    # given: hana blocked nights 40..42
    with tenant_context(rental.tenant):
        BlockedPeriodFactory(property=flat, start=in_days(40), end=in_days(42))
    # when
    response = rental.client("gia").post(BOOKINGS, stay(flat, start=41, nights=3), format="json")
    # then
    assert response.status_code == 409 and error_code(response) == "dates_unavailable"


def test_cancelled_and_expired_bookings_free_their_nights(rental: Rental, flat: Property) -> None:
    # given: a cancelled and an expired booking of nights 30..33
    with tenant_context(rental.tenant):
        BookingFactory(property=flat, cancelled=True)
        BookingFactory(property=flat, expired=True)
    # when
    response = rental.client("gia").post(BOOKINGS, stay(flat, start=30, nights=3), format="json")
    # then
    assert response.status_code == 201, response.content


def test_a_host_cannot_book_their_own_property_nor_an_unpublished_one(rental: Rental, flat: Property) -> None:
    # given: hana is a guest too; hugo's flat is unpublished
    with tenant_context(rental.tenant):
        from django.contrib.auth.models import Group

        rental.hana.groups.add(Group.objects.get(name="guest"))
        hidden = make_property(rental.hugo, status="unpublished")
    # when
    own = rental.client("hana").post(BOOKINGS, stay(flat), format="json")
    unpublished = rental.client("gia").post(BOOKINGS, stay(hidden), format="json")
    # then: 400 naming the property; an unpublished property reads like a missing one
    assert own.status_code == 400 and error_code(own) == "validation_error"
    assert own.json()["error"]["details"] == {"property": ["Your own property."]}
    assert unpublished.status_code == 400 and "property" in unpublished.json()["error"]["details"]


@pytest.mark.parametrize(("who", "status"), [("hana", 403), ("cora", 403), ("admin", 403), (None, 401)])
def test_only_guests_book(rental: Rental, flat: Property, who: str | None, status: int) -> None:
    response = rental.client(who).post(BOOKINGS, stay(flat), format="json")
    assert response.status_code == status, response.content


def test_anyone_gets_a_quote_with_the_same_rules(rental: Rental, flat: Property) -> None:
    # given: nights 30..33 are booked
    with tenant_context(rental.tenant):
        BookingFactory(property=flat)
    query = {k: str(v) for k, v in stay(flat, start=34, nights=4, guests=3).items()}
    # when
    free = rental.client(None).get(QUOTE, query)
    taken = rental.client(None).get(QUOTE, {**query, "check_in": in_days(31).isoformat()})
    past = rental.client(None).get(QUOTE, {**query, "check_in": in_days(-2).isoformat()})
    crowd = rental.client(None).get(QUOTE, {**query, "guests": "9"})
    missing = rental.client(None).get(QUOTE, {"property": str(flat.pk)})
    # then
    assert free.status_code == 200, free.content
    assert {k: free.json()[k] for k in ("nights", "nightly_price", "cleaning_fee", "total", "available")} == {
        "nights": 4,
        "nightly_price": "100.00",
        "cleaning_fee": "30.00",
        "total": "430.00",
        "available": True,
    }
    assert taken.status_code == 200 and taken.json()["available"] is False
    assert past.status_code == 400 and "check_in" in past.json()["error"]["details"]
    assert crowd.status_code == 400 and "guests" in crowd.json()["error"]["details"]
    assert missing.status_code == 400 and {"check_in", "check_out", "guests"} <= set(missing.json()["error"]["details"])
