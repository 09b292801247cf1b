"""The rental demo (``make run`` seeds ``rental.localhost`` with it): every state a visitor should see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.demo import seed_demo
from tenant_apps.rental.inquiries.models import Inquiry, InquirySeverity, InquiryStatus
from tenant_apps.rental.properties.models import BlockedPeriod, Property, PropertyPhoto
from tenant_apps.wallet.models import LedgerEntry
from tests.fixture_types import MakeUser


def test_the_rental_demo_shows_every_state_and_a_second_run_adds_nothing(echo: Tenant, make_user: MakeUser) -> None:
    # given the per-role users setup_demo makes
    for role in ("guest", "host", "customer_service"):
        make_user(echo, f"{role.replace('_', '-')}@echo.{settings.PLATFORM_DOMAIN}", roles=[role])
    with tenant_context(echo):
        # when it runs twice
        first = seed_demo(password="demo-pass-1234")
        counts = _counts()
        second = seed_demo(password="demo-pass-1234")
        # then the second run changed nothing
        assert _counts() == counts
        assert first == second
        # hosts with photographed properties, one unpublished, one with blocked nights
        assert Property.objects.values("host").distinct().count() == 2
        assert not Property.objects.filter(photos__isnull=True).exists()
        assert Property.objects.filter(status="unpublished").count() == 1
        assert BlockedPeriod.objects.exists()
        # bookings in every state, across the calendar (past, current, ahead)
        assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values)
        completed = Booking.objects.get(status=BookingStatus.COMPLETED)
        assert LedgerEntry.objects.filter(reference=f"booking:{completed.pk}:payout", kind="earning").count() == 1
        assert Booking.objects.filter(status=BookingStatus.CANCELLED, refund_amount__gt=0).exists()
        # inquiries in every state and severity
        assert set(Inquiry.objects.values_list("status", flat=True)) == set(InquiryStatus.values)
        assert set(Inquiry.objects.values_list("severity", flat=True)) == set(InquirySeverity.values)
        assert Inquiry.objects.filter(created_by__isnull=True).exists()  # a visitor's


def _counts() -> dict[str, Any]:
    return {
        "properties": Property.objects.count(),
        "photos": PropertyPhoto.objects.count(),
        "bookings": Booking.objects.count(),
        "inquiries": Inquiry.objects.count(),
        "ledger": LedgerEntry.objects.count(),
    }
