"""Rental bookings, made by ``rental.bookings.services`` and walked to their state through them.

``BookingFactory(property=prop)`` books 3 nights of ``prop`` (default: a new host's property in
``DEFAULT_CURRENCY``, the wallets', so a completed stay pays out) 30 days ahead for a new guest
(``booking_create``: priced, invoiced, held). Traits: ``confirmed`` (the invoice paid by an approved
bank transfer: ``invoice_paid`` confirms it), ``cancelled`` (cancelled by its guest while pending),
``expired`` (the hold runs out: ``booking_expire`` at a moment after ``expires_at``),
``completed`` (confirmed, then ``booking_complete`` the day after check-out: the host is paid).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.services import booking_cancel, booking_complete, booking_create, booking_expire
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, at, in_days
from tests.factories.payments import PaymentFactory
from tests.factories.rental_properties import PropertyFactory


class BookingFactory(ServiceFactory[Booking]):
    """A booking of ``property`` (default: a new ``PropertyFactory`` in ``DEFAULT_CURRENCY``) by
    ``guest`` (default: a new guest) for the nights ``[check_in, check_out)`` (default: 3 nights,
    30 days ahead) and ``guests`` people, walked to ``status`` through the services (see the
    module)."""

    class Meta:
        model = Booking

    class Params:
        confirmed = factory.Trait(status=BookingStatus.CONFIRMED)
        cancelled = factory.Trait(status=BookingStatus.CANCELLED)
        expired = factory.Trait(status=BookingStatus.EXPIRED)
        completed = factory.Trait(status=BookingStatus.COMPLETED)

    property = factory.SubFactory(PropertyFactory, currency=factory.LazyFunction(lambda: settings.DEFAULT_CURRENCY))
    guest = factory.SubFactory(UserFactory, roles=["guest"])
    check_in = factory.LazyFunction(lambda: in_days(30))
    check_out = factory.LazyAttribute(lambda o: o.check_in + timedelta(days=3))
    guests = 2
    status = BookingStatus.PENDING

    @classmethod
    def _create(cls, model_class: type[Booking], *args: Any, **kwargs: Any) -> Booking:
        status = kwargs.pop("status")
        booking = booking_create(**kwargs)
        if status == BookingStatus.PENDING:
            return booking
        if status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            PaymentFactory(invoice=booking.invoice, payer=booking.guest, approved=True)
        if status == BookingStatus.CANCELLED:
            booking_cancel(booking=booking, actor=booking.guest, reason="Plans changed.")
        elif status == BookingStatus.EXPIRED:
            assert booking.expires_at is not None
            with at(booking.expires_at + timedelta(seconds=1)):
                booking_expire(booking_id=booking.pk)
        elif status == BookingStatus.COMPLETED:
            after = datetime.combine(
                booking.check_out + timedelta(days=1), time(12), tzinfo=timezone.get_current_timezone()
            )
            with at(after):
                booking_complete(booking_id=booking.pk)
        elif status != BookingStatus.CONFIRMED:
            raise ValueError(f"BookingFactory: unknown status {status!r}")
        return Booking.objects.get(pk=booking.pk)
