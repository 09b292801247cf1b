"""Cancelling a booking: its guest or an admin, under the property's cancellation policy.

A pending booking is cancelled with nothing to refund and its invoice called off; a confirmed one
is refunded ``refund_amount`` (``pricing.refund_for``: flexible, moderate, strict by days before
check-in, the cleaning fee while the stay has not started) through the payments app: by Stripe
for a card payment. The dates are free at once; the other side is told.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Payment, Refund
from tenant_apps.payments.services import payment_refund
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.bookings.services import booking_complete
from tests.factories import BookingFactory
from tests.factories.base import at, in_days
from tests.fixture_types import Deliver
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, booking_url, error_code, make_property, stay
from tests.tenant_apps.rental.conftest import Rental

_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


def _cancel(rental: Rental, who: str | None, pk: int, reason: str = "Plans changed.") -> dict[str, object]:
    response = rental.client(who).post(booking_url(pk, "cancel/"), {"reason": reason}, format="json")
    assert response.status_code == 200, response.content
    body: dict[str, object] = response.json()
    return body


def test_a_guest_cancels_a_pending_booking_its_invoice_is_called_off_and_the_host_told(rental: Rental) -> None:
    # given: gia's pending booking of hana's flat
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana)
        booking = BookingFactory(property=flat, guest=rental.gia)
    # when
    body = _cancel(rental, "gia", booking.pk)
    # then: nothing to refund, the invoice cancelled, the dates free for gus
    assert (body["status"], body["refund_amount"], body["cancel_reason"]) == ("cancelled", "0.00", "Plans changed.")
    assert booking.invoice is not None
    assert body["invoice"] == {"id": booking.invoice.pk, "number": booking.invoice.number, "status": "cancelled"}
    with tenant_context(rental.tenant):
        assert Notification.objects.filter(recipient=rental.hana, verb="booking.cancelled").count() == 1
        assert not Notification.objects.filter(recipient=rental.gia, verb="booking.cancelled").exists()
    again = rental.client("gus").post(BOOKINGS, stay(flat, start=30, nights=3), format="json")
    assert again.status_code == 201, again.content


@pytest.mark.parametrize(
    ("policy", "days_ahead", "refund"),
    [
        ("flexible", 1, "330.00"),
        ("flexible", 0, "0.00"),
        ("moderate", 5, "330.00"),
        ("moderate", 4, "30.00"),
        ("strict", 7, "180.00"),
        ("strict", 6, "30.00"),
    ],
)
def test_a_confirmed_booking_is_refunded_under_its_property_policy(
    rental: Rental, policy: str, days_ahead: int, refund: str
) -> None:
    # given: gia's paid stay of 3 nights (300.00 + 30.00 cleaning) starting ``days_ahead`` days from now
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana, cancellation_policy=policy)
        booking = BookingFactory(property=flat, guest=rental.gia, confirmed=True, check_in=in_days(days_ahead))
    # when
    body = _cancel(rental, "gia", booking.pk)
    # then: refunded as the policy says, recorded against her payment
    assert (body["status"], body["refund_amount"]) == ("cancelled", refund)
    with tenant_context(rental.tenant):
        refunds = [r.amount for r in Refund.objects.filter(payment__invoice__rental_booking=booking)]
    assert refunds == ([Decimal(refund)] if Decimal(refund) else [])


def test_a_card_paid_booking_is_refunded_through_stripe_when_an_admin_cancels(
    rental: Rental,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: gia booked a flexible flat 30 days ahead and paid by card
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana, cancellation_policy="flexible")
    booking = rental.client("gia").post(BOOKINGS, stay(flat), format="json").json()
    intent = rental.client("gia").post(booking_url(booking["id"], "pay/")).json()["payment_intent_id"]
    pay_intent(stripe_on, intent)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(rental.tenant, fake_event(stripe_on, intent, "payment_intent.succeeded"))
    mail.outbox.clear()
    # when: the admin cancels it
    body = _cancel(rental, "admin", booking["id"], reason="Flooded flat.")
    # then: the whole 330.00 went back through Stripe, and guest and host were told
    assert (body["status"], body["refund_amount"]) == ("cancelled", "330.00")
    with tenant_context(rental.tenant):
        refund = Refund.objects.get(payment__invoice_id=booking["invoice"]["id"])
        told = set(Notification.objects.filter(verb="booking.cancelled").values_list("recipient__email", flat=True))
    assert refund.amount == Decimal("330.00") and refund.stripe_refund_id
    stripe_refund = stripe_on.v1.refunds.retrieve(str(refund.stripe_refund_id)).to_dict()
    assert (stripe_refund["amount"], stripe_refund["payment_intent"]) == (33000, intent)
    assert told == {rental.gia.email, rental.hana.email}


@pytest.mark.parametrize(("who", "status"), [("hana", 403), ("cora", 403), ("gus", 404), (None, 401)])
def test_only_the_guest_or_an_admin_cancels(rental: Rental, who: str | None, status: int) -> None:
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia)
    response = rental.client(who).post(booking_url(booking.pk, "cancel/"), {}, format="json")
    assert response.status_code == status, response.content
    with tenant_context(rental.tenant):
        assert Booking.objects.get(pk=booking.pk).status == "pending"


@pytest.mark.parametrize("state", ["cancelled", "expired", "completed"])
def test_a_finished_booking_cannot_be_cancelled(rental: Rental, state: str) -> None:
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia, **{state: True})
    response = rental.client("gia").post(booking_url(booking.pk, "cancel/"), {"reason": "x"}, format="json")
    assert response.status_code == 409 and error_code(response) == "invalid_status_transition"


def test_a_reason_must_be_text(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia)
    response = rental.client("gia").post(booking_url(booking.pk, "cancel/"), {"reason": 12}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["details"]


def test_a_stay_whose_nights_have_passed_cannot_be_cancelled_and_its_host_is_still_paid(rental: Rental) -> None:
    # given: gia's paid stay, on its check-out day (the beat completes it the day after)
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana)
        booking = BookingFactory(property=flat, guest=rental.gia, confirmed=True)
    check_out_day = timezone.make_aware(datetime.combine(booking.check_out, time(11)))
    with at(check_out_day):
        # when: the guest, then an admin, try to cancel it
        by_guest = rental.client("gia").post(booking_url(booking.pk, "cancel/"), {"reason": "x"}, format="json")
        by_admin = rental.client("admin").post(booking_url(booking.pk, "cancel/"), {"reason": "x"}, format="json")
    # then: refused, and the stay completes the day after with the host's share
    assert (by_guest.status_code, error_code(by_guest)) == (409, "invalid_status_transition")
    assert (by_admin.status_code, error_code(by_admin)) == (409, "invalid_status_transition")
    assert "can no longer be cancelled" in by_guest.json()["error"]["message"]
    with tenant_context(rental.tenant), at(check_out_day + timedelta(days=1)):
        assert booking_complete(booking_id=booking.pk) is True
        booking.refresh_from_db()
        assert booking.status == "completed" and booking.host_payout > 0
        assert not Refund.objects.filter(payment__invoice=booking.invoice).exists()


def test_the_day_before_check_out_a_stay_can_still_be_cancelled(rental: Rental) -> None:
    # given: gia's paid stay, on its last night
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia, confirmed=True)
    with at(timezone.make_aware(datetime.combine(booking.check_out - timedelta(days=1), time(11)))):
        # when
        response = rental.client("gia").post(booking_url(booking.pk, "cancel/"), {"reason": "x"}, format="json")
    # then: cancelled under its policy (nothing back this late)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("days_ahead", "refund_amount", "new_refunds"),
    [(1, "330.00", ["230.00"]), (0, "100.00", [])],
)
def test_an_earlier_goodwill_refund_counts_towards_what_a_cancellation_gives_back(
    rental: Rental, days_ahead: int, refund_amount: str, new_refunds: list[str]
) -> None:
    # given: gia's paid stay at a flexible flat, 100.00 of it already given back by an admin
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana, cancellation_policy="flexible")
        booking = BookingFactory(property=flat, guest=rental.gia, confirmed=True, check_in=in_days(days_ahead))
        payment = Payment.objects.get(invoice=booking.invoice, status="approved")
        payment_refund(payment=payment, amount=Decimal("100.00"), reason="Broken heater.", actor=rental.admin)
    # when: she cancels (the policy gives 330.00 back a day ahead, nothing on the day)
    body = _cancel(rental, "gia", booking.pk)
    # then: only the difference is refunded, and never less than what she already got
    assert (body["status"], body["refund_amount"]) == ("cancelled", refund_amount)
    with tenant_context(rental.tenant):
        later = [str(r.amount) for r in Refund.objects.filter(payment=payment).order_by("pk")][1:]
    assert later == new_refunds
