"""Races on bookings, on committed rows from threads with their own connections (as concurrent
requests are):

* two guests booking the same nights at the same moment: one gets the booking (201), the other 409
  ``dates_unavailable``, and the property has one booking of those nights;
* the expiry of a booking whose hold ran out, racing the payment that pays it: either the payment
  wins (the booking is confirmed, the expiry does nothing) or the expiry does (the booking expires,
  its invoice is called off and the payment is refused), never an expired booking with a paid
  invoice; without the invoice and booking locks, the expiry overwrites the confirmation.
* a guest booking nights while the host blocks the same nights: one wins, the other answers 409
  ``dates_unavailable``; without the property's row lock both pass their check and the nights are
  both booked and blocked (the exclusion constraint covers bookings against bookings only, so the
  lock alone protects this pair).

In the booking race:
A pause is injected after the availability check, so both requests read the calendar before either
writes unless the property's row lock makes the second wait. With the lock taken away, both pass
the check, and the database's exclusion constraint still refuses the second insert: two layers,
each shown doing the work on its own. Everything committed is deleted afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tests.concurrency import in_thread, race
from tests.factories import UserFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, make_property, stay

PAUSE = 0.3
_TABLES = (
    "notifications_notification",
    "audit_auditlogentry",
    "bookings_booking",
    "payments_payment",
    "payments_invoiceline",
    "payments_invoice",
    "properties_blockedperiod",
    "properties_property",
    "rental_site_rentalsettings",  # created with the defaults on first use (``rental_settings()``)
)


def _marks() -> dict[str, int]:
    with connection.cursor() as cursor:
        marks = {}
        for table in (*_TABLES, "accounts_user"):
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            marks[table] = int(cursor.fetchone()[0])
        cursor.execute("SELECT COALESCE(MAX(value), 0) FROM payments_invoicecounter WHERE key = 'invoice'")
        marks["counter"] = int(cursor.fetchone()[0])
        return marks


def _cleanup(marks: dict[str, int]) -> None:
    """Delete what was committed after ``marks`` (the users and every row naming them too)."""
    with connection.cursor() as cursor:
        for table in _TABLES:
            cursor.execute(f'DELETE FROM "{table}" WHERE id > %s', [marks[table]])
        cursor.execute("UPDATE payments_invoicecounter SET value = %s WHERE key = 'invoice'", [marks["counter"]])
        cursor.execute(
            """
            SELECT cl.relname, att.attname FROM pg_constraint con
            JOIN pg_class cl ON cl.oid = con.conrelid
            JOIN pg_namespace ns ON ns.oid = cl.relnamespace
            JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey)
            WHERE con.contype = 'f' AND con.confrelid = 'accounts_user'::regclass AND ns.nspname = current_schema()
            """
        )
        references = cursor.fetchall()
        for _ in range(3):
            for table, column in references:
                try:
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" > %s', [marks["accounts_user"]])
                except DatabaseError:
                    continue
        cursor.execute("DELETE FROM accounts_user WHERE id > %s", [marks["accounts_user"]])


@pytest.fixture
def committed(echo: Tenant) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed(fn)``: run ``fn`` in echo on its own connection (committed); all of it is deleted
    after the test."""

    def inside(fn: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with tenant_context(echo):
                return fn()

        return run

    before = in_thread(inside(_marks))
    try:
        yield lambda fn: in_thread(inside(fn))
    finally:
        in_thread(inside(lambda: _cleanup(before)))
        tenant_connection().set_schema_to_public()


def _two_guests_and_a_flat() -> dict[str, Any]:
    host = UserFactory(email="race-host@echo.test", roles=["host"])
    guests = [UserFactory(email=f"race-guest{i}@echo.test", roles=["guest"]) for i in range(2)]
    return {"flat": make_property(host), "guests": guests}


def _slow_check(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The availability check pauses after reading; ``locking=False`` takes the property's row lock away."""
    from tenant_apps.rental.bookings import availability
    from tenant_apps.rental.bookings.services import booking
    from tenant_apps.rental.properties.models import Property

    real = availability.is_available

    def slow(prop: Property, **kwargs: Any) -> bool:
        free = real(prop, **kwargs)
        time.sleep(PAUSE)
        return free

    monkeypatch.setattr(availability, "is_available", slow)
    if not locking:
        monkeypatch.setattr(booking, "property_lock", lambda pk: Property.objects.get(pk=pk))


def _book_both(echo: Tenant, rows: dict[str, Any], client_for: ClientFor, login: Login) -> list[Any]:
    def token(email: str) -> str:
        return str(in_thread(lambda: login(echo, email)["access"]))

    clients = [client_for(echo, token(guest.email)) for guest in rows["guests"]]
    body = stay(rows["flat"], start=30, nights=3)

    def book(client: Any) -> Callable[[], Any]:
        def post() -> Any:
            response = client.post(BOOKINGS, body, format="json")
            return response.status_code, response.json().get("error", {}).get("code")

        return post

    return race([book(client) for client in clients])


def _bookings_of(echo: Tenant, rows: dict[str, Any]) -> int:
    from tenant_apps.rental.bookings.models import Booking

    def count() -> int:
        with tenant_context(echo):
            return Booking.objects.filter(property_id=rows["flat"].pk).count()

    result: int = in_thread(count)
    return result


@pytest.mark.parametrize("locking", [True, False], ids=["property_lock", "exclusion_constraint_alone"])
def test_two_guests_booking_the_same_nights_get_one_booking_and_one_409(
    echo: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    client_for: ClientFor,
    login: Login,
    locking: bool,
) -> None:
    # given: two guests and a flat, committed; the check pauses after reading the calendar
    rows = committed(_two_guests_and_a_flat)
    _slow_check(monkeypatch, locking=locking)
    # when: both book nights 30..33 at once
    outcomes = _book_both(echo, rows, client_for, login)
    # then
    assert sorted(outcomes, key=lambda o: o[0]) == [(201, None), (409, "dates_unavailable")], outcomes
    assert _bookings_of(echo, rows) == 1


# --- Expiry racing the payment ---------------------------------------------------------------------


def _held_booking_with_a_transfer() -> dict[str, Any]:
    """A pending booking whose hold ran out a second ago, and a bank transfer of its total awaiting
    the admin's approval (approving it pays the invoice, which confirms the booking)."""
    from datetime import timedelta

    from django.utils import timezone

    from tenant_apps.rental.bookings.models import Booking
    from tests.factories import BookingFactory, PaymentFactory, site_admin

    rows = _two_guests_and_a_flat()
    booking = BookingFactory(property=rows["flat"], guest=rows["guests"][0])
    # the hold's end is written directly: no service moves it, and waiting would take minutes
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    payment = PaymentFactory(invoice=booking.invoice, payer=booking.guest)
    return {"booking": booking, "payment": payment, "admin": site_admin()}


def _slow_expiry(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """The expiry pauses after reading the booking; ``locking=False`` reads it without the invoice
    and booking row locks."""
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.bookings.services import lifecycle

    real = lifecycle.booking_lock
    calls: list[int] = []

    def slow(pk: int) -> Booking:
        found = real(pk) if locking else Booking.objects.select_related("property", "guest").get(pk=pk)
        calls.append(pk)
        if len(calls) == 1:  # the expiry's read (it reads first); the payment's receiver goes on
            time.sleep(PAUSE)
        return found

    monkeypatch.setattr(lifecycle, "booking_lock", slow)
    if not locking:
        monkeypatch.setattr(lifecycle, "invoice_lock", lambda pk: None)


def _expire_and_pay(echo: Tenant, rows: dict[str, Any]) -> tuple[str, str, str]:
    """Race the expiry against the approval (started a moment later); ``(booking, invoice,
    payment)`` statuses afterwards."""
    from tenant_apps.payments.models import Invoice, Payment
    from tenant_apps.payments.services import payment_approve
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.bookings.services import booking_expire

    def approve() -> Any:
        time.sleep(PAUSE / 3)  # the expiry reads first
        return payment_approve(payment=rows["payment"], actor=rows["admin"]).status

    race([lambda: booking_expire(booking_id=rows["booking"].pk), approve], tenant=echo)

    def read() -> tuple[str, str, str]:
        with tenant_context(echo):
            return (
                Booking.objects.get(pk=rows["booking"].pk).status,
                Invoice.objects.get(pk=rows["payment"].invoice_id).status,
                Payment.objects.get(pk=rows["payment"].pk).status,
            )

    result: tuple[str, str, str] = in_thread(read)
    return result


def test_an_expiry_racing_the_payment_never_expires_a_paid_booking(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_held_booking_with_a_transfer)
    _slow_expiry(monkeypatch, locking=True)
    # when
    outcome = _expire_and_pay(echo, rows)
    # then: the expiry held the invoice first: expired, called off, the transfer refused
    assert outcome == ("expired", "cancelled", "rejected"), outcome


def test_without_the_locks_the_expiry_overwrites_the_confirmation(
    echo: Tenant, committed: Callable[[Callable[[], Any]], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    rows = committed(_held_booking_with_a_transfer)
    _slow_expiry(monkeypatch, locking=False)
    # when
    outcome = _expire_and_pay(echo, rows)
    # then: the negative control: a paid invoice for an expired booking whose nights are free
    assert outcome == ("expired", "paid", "approved"), outcome


# --- A booking racing a blocked period ----------------------------------------------------------------


def _a_guest_a_host_and_their_flat() -> dict[str, Any]:
    host = UserFactory(email="race-host@echo.test", roles=["host"])
    guest = UserFactory(email="race-guest@echo.test", roles=["guest"])
    return {"flat": make_property(host), "host": host, "guest": guest}


def _slow_writers(monkeypatch: pytest.MonkeyPatch, *, locking: bool) -> None:
    """Both writers pause between reading the calendar and writing their row: the booking after its
    availability check, the block before its insert. ``locking=False`` replaces ``property_lock``
    by a plain fetch in both services."""
    from tenant_apps.rental.bookings import availability
    from tenant_apps.rental.bookings.services import booking
    from tenant_apps.rental.properties.models import BlockedPeriod, Property
    from tenant_apps.rental.properties.services import blocks

    real_check = availability.is_available
    real_create = BlockedPeriod.objects.create

    def slow_check(prop: Property, **kwargs: Any) -> bool:
        free = real_check(prop, **kwargs)
        time.sleep(PAUSE)
        return free

    def slow_create(**kwargs: Any) -> BlockedPeriod:
        time.sleep(PAUSE)
        return real_create(**kwargs)

    monkeypatch.setattr(availability, "is_available", slow_check)
    monkeypatch.setattr(BlockedPeriod.objects, "create", slow_create)
    if not locking:

        def plain_fetch(pk: int) -> Property:
            return Property.objects.get(pk=pk)

        monkeypatch.setattr(booking, "property_lock", plain_fetch)
        monkeypatch.setattr(blocks, "property_lock", plain_fetch)


def _book_and_block(echo: Tenant, rows: dict[str, Any], client_for: ClientFor, login: Login) -> list[Any]:
    """The guest books nights 30..33 while the host blocks them; ``[(status, error code), ...]``
    for the booking, then the block."""
    from tests.factories import in_days

    def client(user: Any) -> Any:
        return client_for(echo, str(in_thread(lambda: login(echo, user.email)["access"])))

    guest, host = client(rows["guest"]), client(rows["host"])
    flat = rows["flat"]
    nights = {"start": in_days(30).isoformat(), "end": in_days(33).isoformat(), "summary": "Owner's stay"}

    def answer(response: Any) -> tuple[int, str | None]:
        return response.status_code, response.json().get("error", {}).get("code")

    return race(
        [
            lambda: answer(guest.post(BOOKINGS, stay(flat, start=30, nights=3), format="json")),
            lambda: answer(host.post(f"/api/v1/properties/{flat.pk}/blocked-periods/", nights, format="json")),
        ]
    )


def _taken_by(echo: Tenant, rows: dict[str, Any]) -> tuple[int, int]:
    """``(bookings, blocked periods)`` holding nights of the flat."""
    from tenant_apps.rental.bookings.models import Booking
    from tenant_apps.rental.properties.models import BlockedPeriod

    def count() -> tuple[int, int]:
        with tenant_context(echo):
            flat = rows["flat"].pk
            return Booking.objects.filter(property_id=flat).count(), BlockedPeriod.objects.filter(
                property_id=flat
            ).count()

    result: tuple[int, int] = in_thread(count)
    return result


def test_a_booking_and_a_block_of_the_same_nights_one_wins_the_other_gets_409(
    echo: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    client_for: ClientFor,
    login: Login,
) -> None:
    # given: a guest, a host and the host's flat, committed; both writers pause after reading
    rows = committed(_a_guest_a_host_and_their_flat)
    _slow_writers(monkeypatch, locking=True)
    # when: the guest books nights 30..33 while the host blocks them
    booked, blocked = _book_and_block(echo, rows, client_for, login)
    # then: whichever took the property's lock first won; the other found the nights taken
    assert sorted([booked, blocked]) == [(201, None), (409, "dates_unavailable")], (booked, blocked)
    assert _taken_by(echo, rows) == ((1, 0) if booked[0] == 201 else (0, 1))


def test_without_the_property_lock_the_same_nights_are_booked_and_blocked(
    echo: Tenant,
    committed: Callable[[Callable[[], Any]], Any],
    monkeypatch: pytest.MonkeyPatch,
    client_for: ClientFor,
    login: Login,
) -> None:
    # given: as above, but both services fetch the property without locking it
    rows = committed(_a_guest_a_host_and_their_flat)
    _slow_writers(monkeypatch, locking=False)
    # when
    booked, blocked = _book_and_block(echo, rows, client_for, login)
    # then: the negative control: both read a free calendar, both wrote; nothing in the database
    # refuses a booking over a block
    assert (booked, blocked) == ((201, None), (201, None))
    assert _taken_by(echo, rows) == (1, 1)
