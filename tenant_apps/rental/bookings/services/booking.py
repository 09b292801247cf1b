"""Booking a stay and starting its card payment.

``booking_create`` prices the stay once (``pricing.quote``), checks the calendar under the
property's lock and inserts a **pending** booking holding its dates until ``expires_at``; the
database's exclusion constraint ``bookings_no_overlap`` is the last word (a racing insert that got
past the check answers 409 ``dates_unavailable`` too, whether PostgreSQL reports the overlap or,
for two uncommitted overlapping inserts, a deadlock it broke by failing one). The booking is
billed by one invoice (a line for the nights, one for the cleaning fee), not e-mailed when
issued: the paid invoice is, with its PDF, by the payments app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.locks import invoice_lock
from tenant_apps.payments.models import Payment
from tenant_apps.payments.services import LineItem, invoice_create, payment_stripe_start
from tenant_apps.rental.bookings import availability, pricing
from tenant_apps.rental.bookings.access import can_book
from tenant_apps.rental.bookings.locks import booking_lock
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.services._common import booking_facts, notify_booking
from tenant_apps.rental.properties.locks import property_lock
from tenant_apps.rental.properties.models import Property, PropertyStatus

#: PostgreSQL's SQLSTATE for a deadlock it broke by failing one transaction.
DEADLOCK_DETECTED = "40P01"


def _unavailable(check_in: date, check_out: date) -> Conflict:
    return Conflict(
        "These dates are not available at this property.",
        code=ErrorCode.DATES_UNAVAILABLE,
        details={"check_in": check_in.isoformat(), "check_out": check_out.isoformat()},
    )


def _invoice_lines(prop: Property, booking: Booking) -> list[LineItem]:
    nights = "night" if booking.nights == 1 else "nights"
    lines: list[LineItem] = [
        {
            "description": f"{booking.nights} {nights} at {prop.title} ({booking.check_in}–{booking.check_out})",
            "quantity": booking.nights,
            "unit_price": booking.nightly_price,
        }
    ]
    if booking.cleaning_fee > 0:
        lines.append({"description": "Cleaning fee", "quantity": 1, "unit_price": booking.cleaning_fee})
    return lines


def booking_create(*, guest: Any, property: Property, check_in: date, check_out: date, guests: int) -> Booking:
    """Book the nights ``[check_in, check_out)`` of ``property`` for ``guests`` people.

    The booking is ``pending`` (price copied from ``pricing.quote``, in the property's currency)
    until paid, holding its dates until ``expires_at`` (now + ``RENTAL_BOOKING_HOLD_MINUTES``); its
    invoice is issued to ``guest`` (due today, not e-mailed) and the host is notified
    (``booking.requested``).

    Raises ``PermissionDenied`` (403: ``guest`` does not hold the guest role);
    ``ApplicationError`` 400 ``validation_error``: ``details.property`` (not published, or the
    guest's own: a host cannot book their own property), and every rule of ``pricing.quote``
    (``check_in``, ``check_out``, ``guests``); ``Conflict`` 409 ``dates_unavailable`` (a night is
    booked or blocked, also when a concurrent booking won the race at the database).
    """
    if not can_book(guest):
        raise PermissionDenied("Only guests book stays.")
    with transaction.atomic():
        prop = property_lock(property.pk)
        if prop.status != PropertyStatus.PUBLISHED:
            raise ApplicationError("This property is not open for bookings.", details={"property": ["Not published."]})
        if prop.host_id == guest.pk:
            raise ApplicationError("You cannot book your own property.", details={"property": ["Your own property."]})
        price = pricing.quote(property=prop, check_in=check_in, check_out=check_out, guests=guests)
        if not availability.is_available(prop, check_in=check_in, check_out=check_out):
            raise _unavailable(check_in, check_out)
        now = timezone.now()
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    property=prop,
                    guest=guest,
                    check_in=check_in,
                    check_out=check_out,
                    guests=guests,
                    currency=price.currency,
                    nights=price.nights,
                    nightly_price=price.nightly_price,
                    cleaning_fee=price.cleaning_fee,
                    total=price.total,
                    expires_at=now + timedelta(minutes=settings.RENTAL_BOOKING_HOLD_MINUTES),
                )
        except IntegrityError as exc:
            if "bookings_no_overlap" in str(exc):
                raise _unavailable(check_in, check_out) from None
            raise
        except OperationalError as exc:
            # Two uncommitted overlapping inserts wait for each other in the exclusion constraint's
            # check; PostgreSQL breaks the tie by failing one (deadlock_detected). Only reachable
            # if a writer ever inserts without the property's lock: the loser's nights were taken.
            if getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED:
                raise _unavailable(check_in, check_out) from None
            raise
        booking.invoice = invoice_create(
            customer=guest,
            currency=price.currency,
            due_date=timezone.localdate(now),
            lines=_invoice_lines(prop, booking),
            note=f"Booking {booking.number}",
            send_email=False,
        )
        booking.save(update_fields=["invoice"])
        audit_record(actor=guest, verb="booking.created", target=booking, changes=booking_facts(booking))
        notify_booking(booking, recipient=prop.host, verb="booking.requested", guests=guests)
    return booking


@dataclass(frozen=True)
class BookingCheckout:
    """A started card payment of a booking: confirm ``client_secret`` with Stripe.js."""

    booking: Booking
    payment: Payment
    client_secret: str


def booking_pay(*, booking: Booking, payer: Any) -> BookingCheckout:
    """Start (or resume) the card payment of ``booking``'s invoice by its guest ``payer``
    (``payments.services.payment_stripe_start``, a Stripe PaymentIntent for the whole total).

    The booking is confirmed only when Stripe's webhook reports the payment (``invoice_paid``).
    Raises ``PermissionDenied`` (403: not the booking's guest), ``Conflict`` 409
    ``invalid_status_transition`` (not pending, or its hold has run out), and what
    ``payment_stripe_start`` raises (503 ``payments_unavailable``, 502, 409 ``invoice_cancelled``).
    """
    if payer.pk != booking.guest_id:
        raise PermissionDenied("Only the booking's guest pays it.")
    with transaction.atomic():
        if booking.invoice_id is None:  # pragma: no cover - every booking is billed when created
            raise Conflict("This booking has no invoice.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        invoice = invoice_lock(booking.invoice_id)
        locked = booking_lock(booking.pk)
        if locked.status != BookingStatus.PENDING:
            raise Conflict(
                f"This booking is {locked.status}: nothing to pay.", code=ErrorCode.INVALID_STATUS_TRANSITION
            )
        if locked.expires_at is not None and locked.expires_at <= timezone.now():
            raise Conflict("The hold on these dates has run out: book again.", code=ErrorCode.INVALID_STATUS_TRANSITION)
        checkout = payment_stripe_start(invoice=invoice, payer=payer)
    return BookingCheckout(booking=locked, payment=checkout.payment, client_secret=checkout.client_secret)
