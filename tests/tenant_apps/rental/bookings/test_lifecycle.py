"""After booking: unpaid bookings expire when their hold runs out (beat, every minute), freeing
their nights; confirmed stays complete once the check-out day has passed (beat, every 15 minutes),
and the host's share, less the site's commission, is credited to their wallet once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.notifications.models import Notification
from tenant_apps.payments.models import Invoice, Payment
from tenant_apps.payments.services import payment_refund
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.bookings.services import bookings_complete_due, bookings_expire_due
from tenant_apps.rental.bookings.tasks import bookings_complete_due_task, bookings_expire_due_task
from tenant_apps.rental.site.models import RentalSettings
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.wallet.selectors import ledger_discrepancies, wallet_of
from tests.factories import BookingFactory, WalletFactory
from tests.factories.base import at, in_days
from tests.tenant_apps.rental.bookings.conftest import BOOKINGS, make_property, stay
from tests.tenant_apps.rental.conftest import Rental


def test_unpaid_bookings_expire_when_their_hold_runs_out_and_free_their_nights(rental: Rental) -> None:
    # given: gia's booking, held until expires_at, and one booked a minute later by gus elsewhere
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana)
        held = BookingFactory(property=flat, guest=rental.gia)
        with at(timezone.now() + timedelta(minutes=1)):
            later = BookingFactory(property=make_property(rental.hugo), guest=rental.gus)
        assert held.expires_at is not None
        # when: the beat task runs just before, then just after gia's hold ends
        with at(held.expires_at - timedelta(seconds=1)):
            before = bookings_expire_due()
        with at(held.expires_at + timedelta(seconds=1)):
            after = bookings_expire_due_task()
        # then: only hers expired, its invoice called off, she was told
        assert (before, after) == ([], [held.pk])
        assert Booking.objects.get(pk=held.pk).status == "expired"
        assert Booking.objects.get(pk=later.pk).status == "pending"
        assert Invoice.objects.get(rental_booking=held).status == "cancelled"
        assert Notification.objects.filter(recipient=rental.gia, verb="booking.expired").count() == 1
    # and gus can book her nights now
    response = rental.client("gus").post(BOOKINGS, stay(flat, start=30, nights=3), format="json")
    assert response.status_code == 201, response.content


def _day_after(booking: Booking, days: int = 1) -> datetime:
    return datetime.combine(booking.check_out + timedelta(days=days), time(9), tzinfo=timezone.get_current_timezone())


def test_a_stay_completes_after_check_out_and_the_host_is_credited_once(rental: Rental) -> None:
    # given: gia's paid stay of 330.00 at hana's flat; the site keeps 10 %
    with tenant_context(rental.tenant):
        RentalSettings.objects.update_or_create(pk=1, defaults={"commission_percent": Decimal("10.00")})
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia, confirmed=True)
        # when: the task runs on the check-out day, then twice the day after
        with at(_day_after(booking, days=0)):
            on_check_out_day = bookings_complete_due()
        with at(_day_after(booking)):
            first, second = bookings_complete_due_task(), bookings_complete_due()
        # then: completed once, 33.00 kept by the site, 297.00 credited to hana once
        assert (on_check_out_day, first, second) == ([], [booking.pk], [])
        done = Booking.objects.get(pk=booking.pk)
        assert (done.status, done.commission, done.host_payout) == ("completed", Decimal("33.00"), Decimal("297.00"))
        assert done.completed_at is not None
        assert wallet_of(user=rental.hana).balance == Decimal("297.00")
        entries = list(LedgerEntry.objects.filter(wallet__user=rental.hana).values_list("kind", "reference"))
        assert entries == [("earning", f"booking:{booking.pk}:payout")]
        assert Notification.objects.filter(recipient=rental.hana, verb="booking.paid_out").count() == 1
        assert ledger_discrepancies() == []


def test_a_goodwill_refund_during_the_stay_leaves_the_host_a_share_of_what_was_kept(rental: Rental) -> None:
    # given: gia's paid stay of 330.00, 30.00 of it refunded by an admin; the site keeps 10 %
    with tenant_context(rental.tenant):
        RentalSettings.objects.update_or_create(pk=1, defaults={"commission_percent": Decimal("10.00")})
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia, confirmed=True)
        payment = Payment.objects.get(invoice=booking.invoice, status="approved")
        payment_refund(payment=payment, amount=Decimal("30.00"), reason="No hot water.", actor=rental.admin)
        # when
        with at(_day_after(booking)):
            assert bookings_complete_due() == [booking.pk]
        # then: 300.00 kept, 30.00 to the site, 270.00 to hana
        done = Booking.objects.get(pk=booking.pk)
        assert (done.refund_amount, done.commission, done.host_payout) == (
            Decimal("30.00"),
            Decimal("30.00"),
            Decimal("270.00"),
        )
        assert wallet_of(user=rental.hana).balance == Decimal("270.00")


def test_a_stay_whose_payout_is_refused_does_not_hold_up_the_others(rental: Rental) -> None:
    # given: two paid stays ending the same day; hugo's wallet was opened in another currency
    # (as a wallet of a site whose currency changed would be), so his payout is refused
    with tenant_context(rental.tenant):
        hanas = BookingFactory(property=make_property(rental.hana), guest=rental.gia, confirmed=True)
        hugos = BookingFactory(
            property=make_property(rental.hugo), guest=rental.gus, confirmed=True, check_in=hanas.check_in
        )
        WalletFactory(user=rental.hugo, currency="JPY")
        # when: the completion runs the day after
        with at(_day_after(hanas)):
            done = bookings_complete_due()
        # then: hana's stay completed and paid; hugo's is left confirmed, to be seen to, unpaid
        assert done == [hanas.pk]
        assert Booking.objects.get(pk=hugos.pk).status == "confirmed"
        assert wallet_of(user=rental.hugo).balance == Decimal("0")
        assert wallet_of(user=rental.hana).balance > 0


def test_the_default_commission_applies_without_site_settings(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        booking = BookingFactory(property=make_property(rental.hana), guest=rental.gia, completed=True)
        assert (booking.commission, booking.host_payout) == (Decimal("49.50"), Decimal("280.50"))
        assert wallet_of(user=rental.hana).balance == Decimal("280.50")


def test_pending_and_cancelled_stays_are_never_completed(rental: Rental) -> None:
    with tenant_context(rental.tenant):
        flat = make_property(rental.hana)
        pending = BookingFactory(property=flat, guest=rental.gia)
        cancelled = BookingFactory(property=flat, guest=rental.gus, cancelled=True, check_in=in_days(40))
        with at(_day_after(pending, days=5)):
            assert bookings_complete_due() == []
        assert {b.status for b in Booking.objects.filter(pk__in=[pending.pk, cancelled.pk])} == {"pending", "cancelled"}


@pytest.mark.parametrize("task", [bookings_expire_due_task, bookings_complete_due_task])
def test_the_beat_tasks_do_nothing_in_a_site_of_another_kind(gamma: Tenant, task: object) -> None:
    with tenant_context(gamma):
        assert task() == []  # type: ignore[operator]


def test_beat_sends_expiry_every_minute_and_completion_every_15_minutes_to_rental_sites() -> None:
    from celery import current_app
    from django.conf import settings

    entries = {
        entry["task"]: (entry["schedule"], entry["kinds"])
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"].startswith("tenant_apps.rental.bookings.")
    }
    assert entries == {
        "tenant_apps.rental.bookings.tasks.bookings_expire_due_task": (60.0, ["rental"]),
        "tenant_apps.rental.bookings.tasks.bookings_complete_due_task": (900.0, ["rental"]),
    }
    assert set(entries) <= set(current_app.tasks)
