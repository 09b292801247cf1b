"""Attacks on the rental bookings: IDOR on another guest's booking, another site's ids, and mass
assignment.

The rental site is ``echo`` with the people of ``make_rental``: the victim is the guest ``gia``
(a pending and a confirmed stay at host ``hana``'s flat; her phone and her cancellation reason
carry the marker ``SECRET``). Attackers:

* ``gus`` (another guest) and ``hugo`` (another host) read, pay and cancel gia's bookings by id:
  they get exactly what a nonexistent id gets (404 ``not_found``), never her contact details, and
  nothing of hers changes;
* foxtrot's admin sends the same requests with echo's ids to foxtrot's host: 404, nothing changes.

Mass assignment: fields a client may not set (status, price parts, total, guest, invoice, hold,
refund, commission, payout) are ignored by the input serializers: a booking is priced by
``pricing.quote`` and belongs to whoever booked it; a cancellation refunds what the policy says.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.bookings.models import Booking
from tests.factories import BookingFactory
from tests.factories.base import in_days
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.accounts.conftest import error_code
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, booking_url, make_property, stay
from tests.tenant_apps.rental.conftest import Rental, make_rental

SECRET = "echo-secret-7d21"
PHONE = "+351900000777"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")


@pytest.fixture
def rental(echo: Tenant, client_for: ClientFor, login: Login) -> Rental:
    """The ``echo`` rental site with its people."""
    return make_rental(echo, client_for, login)


@pytest.fixture
def victims(rental: Rental) -> dict[str, Booking]:
    """Gia's pending and confirmed stays at hana's flat."""
    with tenant_context(rental.tenant):
        rental.gia.phone = PHONE
        rental.gia.full_name = "Gia Guest"
        rental.gia.save(update_fields=["phone", "full_name"])
        flat = make_property(rental.hana, title="Flat", cancellation_policy="flexible")
        return {
            "pending": BookingFactory(property=flat, guest=rental.gia),
            "confirmed": BookingFactory(property=flat, guest=rental.gia, confirmed=True, check_in=in_days(60)),
        }


def _state(tenant: Tenant, pk: int) -> Any:
    with tenant_context(tenant):
        return Booking.objects.filter(pk=pk).values().first()


REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "", None),
    ("post", "pay/", None),
    ("post", "cancel/", {"reason": f"attack {SECRET}"}),
]


@pytest.mark.parametrize("which", ["pending", "confirmed"])
@pytest.mark.parametrize("attacker", ["gus", "hugo"])
@pytest.mark.parametrize(("method", "suffix", "body"), REQUESTS)
def test_another_user_gets_what_a_missing_booking_gets_and_changes_nothing(
    rental: Rental,
    victims: dict[str, Booking],
    which: str,
    attacker: str,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    # given
    victim = victims[which]
    before = _state(rental.tenant, victim.pk)
    client = rental.client(attacker)
    send: Callable[..., Any] = getattr(client, method)
    # when
    response = send(booking_url(victim.pk, suffix), body, format="json")
    missing = send(booking_url(MISSING_INT, suffix), body, format="json")
    # then
    assert (response.status_code, error_code(response)) == NOT_FOUND
    assert (missing.status_code, error_code(missing)) == NOT_FOUND
    assert response.json() == missing.json()
    assert PHONE not in response.content.decode() and rental.gia.email not in response.content.decode()
    assert _state(rental.tenant, victim.pk) == before


def test_the_lists_of_others_never_show_the_victims_bookings(rental: Rental, victims: dict[str, Booking]) -> None:
    for attacker in ("gus", "hugo"):
        for query in ({}, {"property": str(victims["pending"].property_id)}, {"status": "confirmed"}):
            response = rental.client(attacker).get(BOOKINGS, query)
            assert response.status_code == 200 and response.json()["results"] == [], (attacker, query)


@pytest.mark.parametrize(("method", "suffix", "body"), REQUESTS)
def test_another_sites_admin_with_echos_ids_gets_404_and_changes_nothing(
    rental: Rental,
    victims: dict[str, Booking],
    foxtrot: Tenant,
    client_for: ClientFor,
    login: Login,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    # given
    other = make_rental(foxtrot, client_for, login)
    # when / then
    for victim in victims.values():
        before = _state(rental.tenant, victim.pk)
        response = getattr(other.client("admin"), method)(booking_url(victim.pk, suffix), body, format="json")
        assert (response.status_code, error_code(response)) == NOT_FOUND
        assert SECRET not in response.content.decode() and PHONE not in response.content.decode()
        assert _state(rental.tenant, victim.pk) == before


def test_a_booking_body_cannot_set_its_price_status_owner_or_hold(rental: Rental) -> None:
    # given
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana)
    forged = {
        **stay(flat, start=30, nights=3),
        "status": "confirmed",
        "total": "1.00",
        "nightly_price": "0.01",
        "cleaning_fee": "0.00",
        "nights": 1,
        "currency": "JPY",
        "guest": rental.gus.pk,
        "invoice": 1,
        "expires_at": "2099-01-01T00:00:00Z",
        "refund_amount": "330.00",
        "commission": "0.00",
        "host_payout": "9999.00",
        "number": "BK-00000000",
    }
    # when
    response = rental.client("gia").post(BOOKINGS, forged, format="json")
    # then: priced and owned as the service decides
    assert response.status_code == 201, response.content
    with tenant_context(rental.tenant):
        stored = Booking.objects.get(pk=response.json()["id"])
    assert (stored.status, stored.total, stored.nightly_price, stored.nights, stored.currency) == (
        "pending",
        Decimal("330.00"),
        Decimal("100.00"),
        3,
        settings.DEFAULT_CURRENCY,
    )
    assert (stored.guest_id, stored.refund_amount, stored.commission, stored.host_payout) == (
        rental.gia.pk,
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert stored.number != "BK-00000000" and stored.invoice is not None and stored.invoice.total == Decimal("330.00")


def test_a_cancellation_body_cannot_choose_its_refund(rental: Rental, victims: dict[str, Booking]) -> None:
    # when: gia cancels her pending (unpaid) stay asking for money back
    response = rental.client("gia").post(
        booking_url(victims["pending"].pk, "cancel/"),
        {"reason": "bye", "refund_amount": "330.00", "status": "completed", "cancelled_by": rental.hugo.pk},
        format="json",
    )
    # then: nothing was paid, nothing is refunded
    assert response.status_code == 200, response.content
    with tenant_context(rental.tenant):
        stored = Booking.objects.get(pk=victims["pending"].pk)
    assert (stored.status, stored.refund_amount, stored.cancelled_by_id) == (
        "cancelled",
        Decimal("0.00"),
        rental.gia.pk,
    )
