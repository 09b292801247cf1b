"""The one place a stay's price, a cancellation's refund and the host's share are computed.

Amounts are ``Decimal`` with 2 places in the property's currency, rounded half up to the
currency's step (``saas.money.round_money``). Dates are the site's (``site.site_date``); a stay is
the nights ``[check_in, check_out)``.

**Price** (issue "Bookings"): ``nights x nightly_price + cleaning_fee``.

**Refunds** (``refund_for``): the cancellation policies of Airbnb's published "Cancellation
policies for your listing" (flexible, moderate, strict), simplified to whole days before check-in
in the site's time zone:

| policy | nights refunded | when cancelled at least |
| --- | --- | --- |
| flexible | 100 % | 1 day before check-in |
| moderate | 100 % | 5 days before check-in |
| strict | 50 % | 7 days before check-in |

Later than that, the nights are not refunded. The cleaning fee is refunded whenever the stay has
not started (cancelled before the check-in day). Only what was paid is refunded: a booking that is
not confirmed refunds nothing.

**Host's share** (``host_share``): the site keeps ``commission_percent`` % of what the stay kept
(its total less any refund), rounded half up to cents; the host is paid the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from saas.errors import ApplicationError
from saas.money import check_amount, round_money
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.site import site_date
from tenant_apps.rental.properties.models import CancellationPolicy, Property

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
#: The longest stay one booking may be.
MAX_NIGHTS = 365


@dataclass(frozen=True)
class Quote:
    """A stay's price: ``total = nights x nightly_price + cleaning_fee`` in ``currency``."""

    nights: int
    nightly_price: Decimal
    cleaning_fee: Decimal
    total: Decimal
    currency: str

    @property
    def nights_amount(self) -> Decimal:
        """``nights x nightly_price``, the part the cancellation policy refunds."""
        return self.total - self.cleaning_fee


@dataclass(frozen=True)
class Refund:
    """What a cancellation gives back: ``percent`` of the nights, plus the cleaning fee or not."""

    percent: int
    cleaning_fee_refunded: bool
    amount: Decimal


#: ``policy: [(days before check-in at least, percent of the nights refunded)]``, first match wins.
POLICY_TIERS: dict[str, list[tuple[int, int]]] = {
    CancellationPolicy.FLEXIBLE: [(1, 100)],
    CancellationPolicy.MODERATE: [(5, 100)],
    CancellationPolicy.STRICT: [(7, 50)],
}


def quote(*, property: Property, check_in: date, check_out: date, guests: int, today: date | None = None) -> Quote:
    """Price a stay of ``guests`` at ``property`` for the nights ``[check_in, check_out)``.

    ``today`` defaults to the site's date. Raises ``ApplicationError`` 400 ``validation_error``
    with ``details`` per field (every broken rule at once): ``check_out`` (not after check-in,
    fewer than the property's ``minimum_nights``, more than ``MAX_NIGHTS``), ``check_in`` (before
    today), ``guests`` (below 1 or above ``max_guests``).
    """
    today = today or site_date()
    errors: dict[str, list[str]] = {}
    nights = (check_out - check_in).days
    if nights <= 0:
        errors.setdefault("check_out", []).append("Must be after check-in.")
    elif nights < property.minimum_nights:
        errors.setdefault("check_out", []).append(
            f"This property takes stays of {property.minimum_nights} nights or more."
        )
    elif nights > MAX_NIGHTS:
        errors.setdefault("check_out", []).append(f"A stay is at most {MAX_NIGHTS} nights.")
    if check_in < today:
        errors.setdefault("check_in", []).append("Cannot be in the past.")
    if guests < 1:
        errors.setdefault("guests", []).append("At least 1 guest.")
    elif guests > property.max_guests:
        errors.setdefault("guests", []).append(f"This property sleeps at most {property.max_guests} guests.")
    if errors:
        raise ApplicationError("This stay cannot be booked as asked.", details=errors)
    currency = property.currency
    nightly = round_money(property.nightly_price, currency)
    cleaning = round_money(property.cleaning_fee, currency)
    total = check_amount(nightly * nights + cleaning, currency, field="total")
    return Quote(nights=nights, nightly_price=nightly, cleaning_fee=cleaning, total=total, currency=currency)


def refund_terms(*, policy: str, check_in: date, cancelled_on: date) -> tuple[int, bool]:
    """``(percent of the nights refunded, cleaning fee refunded)`` under ``policy`` for a stay
    starting ``check_in`` cancelled on the site's date ``cancelled_on`` (table in the module)."""
    days_before = (check_in - cancelled_on).days
    percent = next((pct for days, pct in POLICY_TIERS.get(policy, []) if days_before >= days), 0)
    return percent, days_before > 0


def refund_for(*, booking: Booking, cancelled_at: datetime) -> Decimal:
    """The amount to give back when ``booking`` is cancelled at ``cancelled_at`` (see the module's
    table): ``Decimal`` 2 places in its currency, between 0 and its total; 0 unless confirmed."""
    return refund_details(booking=booking, cancelled_at=cancelled_at).amount


def refund_details(*, booking: Booking, cancelled_at: datetime) -> Refund:
    """``refund_for`` with its parts: the percent of the nights and whether the cleaning fee is in."""
    if booking.status != BookingStatus.CONFIRMED:
        return Refund(percent=0, cleaning_fee_refunded=False, amount=ZERO)
    policy = booking.property.cancellation_policy
    percent, cleaning = refund_terms(policy=policy, check_in=booking.check_in, cancelled_on=site_date(cancelled_at))
    nights_amount = booking.total - booking.cleaning_fee
    amount = round_money(nights_amount * percent / HUNDRED, booking.currency)
    if cleaning:
        amount += booking.cleaning_fee
    return Refund(percent=percent, cleaning_fee_refunded=cleaning, amount=min(amount, booking.total))


def host_share(*, booking: Booking, commission_percent: Decimal | Any) -> tuple[Decimal, Decimal]:
    """``(commission, payout)`` of ``booking``: the site keeps ``commission_percent`` % (0-100) of
    what the stay kept (``total - refund_amount``), rounded half up to cents; the host gets the
    rest. Both ``Decimal`` 2 places, never negative, summing to what was kept."""
    kept = booking.total - booking.refund_amount
    percent = min(max(Decimal(commission_percent), ZERO), HUNDRED)
    commission = round_money(kept * percent / HUNDRED, booking.currency)
    return commission, kept - commission
