"""The one place prices, refunds and the host's share are computed (``bookings.pricing``), table-driven."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.pricing import host_share, quote, refund_for, refund_terms
from tenant_apps.rental.properties.models import Property

TODAY = date(2030, 6, 1)


def _property(**fields: object) -> Property:
    values: dict[str, object] = {
        "nightly_price": D("100.00"),
        "cleaning_fee": D("30.00"),
        "currency": "USD",
        "max_guests": 4,
        "minimum_nights": 2,
        **fields,
    }
    return Property(**values)


@pytest.mark.parametrize(
    ("nightly", "cleaning", "nights", "total"),
    [
        ("100.00", "30.00", 3, "330.00"),
        ("100.00", "0.00", 2, "200.00"),
        ("99.99", "10.01", 7, "709.94"),
        ("0.01", "0.00", 365, "3.65"),
    ],
)
def test_a_quote_is_nights_times_the_nightly_price_plus_the_cleaning_fee(
    nightly: str, cleaning: str, nights: int, total: str
) -> None:
    # given
    prop = _property(nightly_price=D(nightly), cleaning_fee=D(cleaning), minimum_nights=1)
    # when
    price = quote(property=prop, check_in=TODAY, check_out=TODAY + timedelta(days=nights), guests=1, today=TODAY)
    # then
    assert (price.nights, price.nightly_price, price.cleaning_fee, price.total, price.currency) == (
        nights,
        D(nightly),
        D(cleaning),
        D(total),
        "USD",
    )


@pytest.mark.parametrize(
    ("check_in", "nights", "guests", "fields"),
    [
        (0, 0, 2, {"check_out"}),  # check-out on the check-in day
        (5, -2, 2, {"check_out"}),  # check-out before check-in
        (-1, 3, 2, {"check_in"}),  # in the past
        (0, 1, 2, {"check_out"}),  # fewer than the 2 minimum nights
        (0, 366, 2, {"check_out"}),  # longer than a year
        (0, 3, 5, {"guests"}),  # more than max_guests
        (0, 3, 0, {"guests"}),  # nobody
        (-3, 1, 9, {"check_in", "check_out", "guests"}),  # every rule at once
    ],
)
def test_a_stay_the_property_cannot_take_is_refused_field_by_field(
    check_in: int, nights: int, guests: int, fields: set[str]
) -> None:
    # given
    start = TODAY + timedelta(days=check_in)
    # when
    with pytest.raises(ApplicationError) as refused:
        quote(
            property=_property(), check_in=start, check_out=start + timedelta(days=nights), guests=guests, today=TODAY
        )
    # then
    assert refused.value.status_code == 400 and refused.value.code == "validation_error"
    assert set(refused.value.details) == fields


@pytest.mark.parametrize(
    ("policy", "days_before", "percent", "cleaning"),
    [
        ("flexible", 30, 100, True),
        ("flexible", 1, 100, True),
        ("flexible", 0, 0, False),
        ("moderate", 5, 100, True),
        ("moderate", 4, 0, True),
        ("moderate", 0, 0, False),
        ("strict", 7, 50, True),
        ("strict", 6, 0, True),
        ("strict", -2, 0, False),
        ("unknown", 30, 0, True),
    ],
)
def test_the_refund_terms_follow_the_policy_by_days_before_check_in(
    policy: str, days_before: int, percent: int, cleaning: bool
) -> None:
    check_in = TODAY + timedelta(days=days_before)
    assert refund_terms(policy=policy, check_in=check_in, cancelled_on=TODAY) == (percent, cleaning)


def _booking(prop: Property, *, status: str = BookingStatus.CONFIRMED, refund: str = "0.00") -> Booking:
    # an unsaved booking of 3 nights at 100.00 + 30.00 cleaning, 10 days after TODAY
    return Booking(
        property=prop,
        check_in=TODAY + timedelta(days=10),
        check_out=TODAY + timedelta(days=13),
        guests=2,
        status=status,
        currency="USD",
        nights=3,
        nightly_price=D("100.00"),
        cleaning_fee=D("30.00"),
        total=D("330.00"),
        refund_amount=D(refund),
    )


def _on(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize(
    ("policy", "cancelled_days_before", "refund"),
    [
        ("flexible", 2, "330.00"),
        ("flexible", 0, "0.00"),  # on the check-in day: nothing, the stay has started
        ("moderate", 6, "330.00"),
        ("moderate", 3, "30.00"),  # the cleaning fee only
        ("strict", 8, "180.00"),  # half the nights + the cleaning fee
        ("strict", 2, "30.00"),
    ],
)
def test_a_confirmed_booking_refunds_what_its_policy_gives(
    echo: Tenant, policy: str, cancelled_days_before: int, refund: str
) -> None:
    with tenant_context(echo):
        booking = _booking(_property(cancellation_policy=policy))
        moment = _on(booking.check_in - timedelta(days=cancelled_days_before))
        assert refund_for(booking=booking, cancelled_at=moment) == D(refund)


def test_an_unpaid_booking_refunds_nothing(echo: Tenant) -> None:
    with tenant_context(echo):
        booking = _booking(_property(cancellation_policy="flexible"), status=BookingStatus.PENDING)
        assert refund_for(booking=booking, cancelled_at=_on(TODAY)) == D("0.00")


@pytest.mark.parametrize(
    ("percent", "refund", "commission", "payout"),
    [
        ("15.00", "0.00", "49.50", "280.50"),
        ("0", "0.00", "0.00", "330.00"),
        ("100", "0.00", "330.00", "0.00"),
        ("12.5", "30.00", "37.50", "262.50"),  # on what was kept: 300.00
        ("3.33", "0.00", "10.99", "319.01"),  # 10.989 rounds half up to 10.99
        ("15.00", "330.00", "0.00", "0.00"),
    ],
)
def test_the_host_is_paid_what_the_stay_kept_less_the_commission(
    percent: str, refund: str, commission: str, payout: str
) -> None:
    booking = _booking(_property(), refund=refund)
    assert host_share(booking=booking, commission_percent=D(percent)) == (D(commission), D(payout))
