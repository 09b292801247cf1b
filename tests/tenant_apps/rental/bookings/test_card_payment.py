"""Paying a booking by card, end to end: ``POST /api/v1/bookings/{id}/pay/`` starts a Stripe
PaymentIntent (at localstripe) for the booking's invoice, and only Stripe's signed
``payment_intent.succeeded`` webhook confirms the booking; the paid invoice's PDF is e-mailed to
the guest (HTML and text parts, PDF attached). A payment that lands after the hold ran out never
confirms the booking: its dates may be someone else's by then.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import stripe
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tenants.utils import tenant_context
from pytest_django import DjangoCaptureOnCommitCallbacks

from tenant_apps.notifications.models import Notification
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.bookings.services import booking_expire
from tenant_apps.rental.properties.models import Property
from tests.factories import BookingFactory
from tests.factories.base import at, in_days
from tests.fixture_types import Deliver
from tests.tenant_apps.payments import conftest as payments
from tests.tenant_apps.payments.conftest import fake_event, pay_intent, pdf_text
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, booking_url, error_code, make_property, stay
from tests.tenant_apps.rental.conftest import Rental, reload

# The payments tests' fixtures: no real Stripe by default, localstripe on demand, signed deliveries.
_no_real_stripe = payments._no_real_stripe
localstripe = payments.localstripe
stripe_on = payments.stripe_on
deliver = payments.deliver


@pytest.fixture
def flat(rental: Rental) -> Property:
    """Hana's published flat: 100.00 a night, 30.00 cleaning."""
    with tenant_context(rental.tenant):
        return make_property(rental.hana)


def book(rental: Rental, flat: Property, who: str = "gia", start: int = 30) -> dict[str, Any]:
    """The 201 body of ``who`` booking 3 nights of ``flat`` ``start`` days ahead."""
    response = rental.client(who).post(BOOKINGS, stay(flat, start=start, nights=3), format="json")
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def test_a_guest_pays_by_card_the_webhook_confirms_and_the_pdf_invoice_is_emailed(
    rental: Rental,
    flat: Property,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: gia's pending booking of 330.00
    booking = book(rental, flat)
    # when: she starts the payment, pays at Stripe, and Stripe's signed event arrives
    started = rental.client("gia").post(booking_url(booking["id"], "pay/"))
    assert started.status_code == 200, started.content
    body = started.json()
    intent = stripe_on.v1.payment_intents.retrieve(body["payment_intent_id"]).to_dict()
    assert (intent["amount"], intent["client_secret"], body["amount"]) == (33000, body["client_secret"], "330.00")
    assert rental.client("gia").get(booking_url(booking["id"])).json()["status"] == "pending"  # not before the event
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(rental.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    # then: confirmed, no longer held, both sides told, the paid invoice e-mailed with its PDF
    assert outcome.json()["outcome"] == "approved"
    shown = rental.client("gia").get(booking_url(booking["id"])).json()
    assert (shown["status"], shown["expires_at"], shown["invoice"]["status"]) == ("confirmed", None, "paid")
    assert shown["confirmed_at"] is not None
    with tenant_context(rental.tenant):
        told = set(Notification.objects.filter(verb="booking.confirmed").values_list("recipient__email", flat=True))
    assert told == {rental.gia.email, rental.hana.email}
    (message,) = mail.outbox
    assert message.to == [rental.gia.email]
    assert message.subject == f"Invoice {booking['invoice']['number']} is paid"
    assert isinstance(message, EmailMultiAlternatives) and message.body.strip()  # a text part...
    html, html_type = message.alternatives[0]
    assert html_type == "text/html" and booking["invoice"]["number"] in str(html)  # ...and an HTML one
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{booking['invoice']['number']}.pdf", "application/pdf")
    assert "330.00" in pdf_text(content) and "Cleaning fee" in pdf_text(content)


def test_paying_again_resumes_the_same_intent(rental: Rental, flat: Property, stripe_on: stripe.StripeClient) -> None:
    booking = book(rental, flat)
    first = rental.client("gia").post(booking_url(booking["id"], "pay/")).json()
    again = rental.client("gia").post(booking_url(booking["id"], "pay/")).json()
    assert (again["payment"], again["payment_intent_id"]) == (first["payment"], first["payment_intent_id"])


@pytest.mark.parametrize(("who", "status"), [("hana", 403), ("admin", 403), ("cora", 403), ("gus", 404), (None, 401)])
def test_only_the_guest_pays_their_booking(
    rental: Rental, flat: Property, stripe_on: stripe.StripeClient, who: str | None, status: int
) -> None:
    booking = book(rental, flat)
    response = rental.client(who).post(booking_url(booking["id"], "pay/"))
    assert response.status_code == status, response.content


def test_a_booking_whose_hold_ran_out_or_that_is_paid_cannot_be_paid(
    rental: Rental, flat: Property, stripe_on: stripe.StripeClient
) -> None:
    # given: a booking past its hold (not yet expired by the beat task), and a confirmed one
    held = book(rental, flat)
    with tenant_context(rental.tenant):
        # the hold's end is written directly: no service moves it, and waiting would take minutes
        Booking.objects.filter(pk=held["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
        paid = BookingFactory(property=flat, guest=rental.gia, confirmed=True, check_in=in_days(60))
    # when
    late = rental.client("gia").post(booking_url(held["id"], "pay/"))
    twice = rental.client("gia").post(booking_url(paid.pk, "pay/"))
    # then
    assert late.status_code == 409 and error_code(late) == "invalid_status_transition"
    assert twice.status_code == 409 and error_code(twice) == "invalid_status_transition"


def test_without_online_payments_paying_is_unavailable(rental: Rental, flat: Property) -> None:
    booking = book(rental, flat)
    response = rental.client("gia").post(booking_url(booking["id"], "pay/"))
    assert response.status_code == 503 and error_code(response) == "payments_unavailable"


def test_a_payment_that_lands_after_the_booking_expired_does_not_confirm_it(
    rental: Rental,
    flat: Property,
    stripe_on: stripe.StripeClient,
    deliver: Deliver,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    # given: gia started paying, her hold ran out, and gus booked the same nights
    booking = book(rental, flat)
    body = rental.client("gia").post(booking_url(booking["id"], "pay/")).json()
    with tenant_context(rental.tenant):
        expires_at = Booking.objects.get(pk=booking["id"]).expires_at
        assert expires_at is not None
        with at(expires_at + timedelta(seconds=1)):
            assert booking_expire(booking_id=booking["id"]) is True
    taker = book(rental, flat, who="gus")
    # when: gia's card payment succeeds at Stripe after all
    assert pay_intent(stripe_on, body["payment_intent_id"]) == "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = deliver(rental.tenant, fake_event(stripe_on, body["payment_intent_id"], "payment_intent.succeeded"))
    # then: the money is flagged for a refund; gia's booking stays expired, gus keeps the nights
    assert outcome.json()["outcome"] == "refund_required"
    with tenant_context(rental.tenant):
        assert Booking.objects.get(pk=booking["id"]).status == "expired"
        assert Booking.objects.get(pk=taker["id"]).status == "pending"
    assert mail.outbox == []
    assert reload(rental, flat).pk == flat.pk
