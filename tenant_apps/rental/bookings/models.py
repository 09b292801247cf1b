"""Bookings: a guest's stay at a property, nights ``[check_in, check_out)`` (seed 003).

Life of a booking (``BookingStatus``)::

    pending --paid (invoice_paid)--> confirmed --stay ends--> completed
       |  \\--hold runs out--> expired             \\--guest or admin cancels--> cancelled
       \\--guest cancels--> cancelled

* **Price**, fixed when booked (``pricing.quote``): ``nights x nightly_price + cleaning_fee`` in the
  property's currency, copied onto the booking, which is billed by one invoice (``payments``).
* **No double booking**: the database refuses two bookings of one property whose nights overlap
  while either occupies them (pending, confirmed, completed), with an exclusion constraint over
  ``int8range(property_id)`` and ``daterange(check_in, check_out, '[)')`` (both ranges, so GiST
  needs no ``btree_gist`` extension). A stay may start on another's check-out day.
* **Hold**: a pending booking keeps its dates until ``expires_at`` (``RENTAL_BOOKING_HOLD_MINUTES``);
  then it expires, its invoice is called off and its nights are free again.
* **Cancellation** refunds ``refund_amount`` under the property's policy (``pricing.refund_for``).
* **Completion**, once the stay has ended: the host's share (``host_payout``, the total less
  ``commission``) is credited to the host's wallet, once (ledger reference ``booking:<id>:payout``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value

from tenant_apps.payments.models import Invoice
from tenant_apps.rental.bookings.numbers import new_booking_number
from tenant_apps.rental.properties.models import Property


class BookingStatus(models.TextChoices):
    """Where a booking is (see the module's diagram)."""

    PENDING = "pending", "Pending payment"
    CONFIRMED = "confirmed", "Confirmed"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


#: Statuses whose nights are taken. Written as ORed equalities in the constraint below, not
#: ``status__in``: PostgreSQL prints ``IN`` in a form a cloned schema would not reproduce exactly.
OCCUPYING_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
OCCUPIES = Q(status=BookingStatus.PENDING) | Q(status=BookingStatus.CONFIRMED) | Q(status=BookingStatus.COMPLETED)


class Booking(models.Model):
    """A guest's stay; amounts are ``Decimal`` with 2 places in ``currency`` (the property's)."""

    number = models.CharField(
        max_length=32,
        unique=True,
        default=new_booking_number,
        help_text="BK-7F3A9C21: random, what guests and hosts quote (numbers.py).",
    )
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rental_bookings")
    check_in = models.DateField()
    check_out = models.DateField()
    guests = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING)
    currency = models.CharField(max_length=3)
    nights = models.PositiveSmallIntegerField()
    nightly_price = models.DecimalField(max_digits=12, decimal_places=2)
    cleaning_fee = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    invoice = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="rental_booking"
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When an unpaid booking frees its dates.")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.TextField(blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    commission = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    host_payout = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["guest", "-created_at"], name="bookings_guest_recent"),
            models.Index(fields=["property", "check_in"], name="bookings_property_check_in"),
            models.Index(fields=["-created_at", "-id"], name="bookings_recent"),
            models.Index(
                fields=["expires_at"], condition=Q(status=BookingStatus.PENDING), name="bookings_pending_expiry"
            ),
            models.Index(
                fields=["check_out"], condition=Q(status=BookingStatus.CONFIRMED), name="bookings_confirmed_end"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(check_out__gt=F("check_in")), name="bookings_check_out_after_check_in"),
            models.CheckConstraint(condition=Q(guests__gte=1), name="bookings_guests_positive"),
            models.CheckConstraint(condition=Q(total__gt=0), name="bookings_total_positive"),
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0) & Q(refund_amount__lte=F("total")),
                name="bookings_refund_within_total",
            ),
            models.CheckConstraint(
                condition=Q(commission__gte=0) & Q(host_payout__gte=0), name="bookings_payout_not_negative"
            ),
            ExclusionConstraint(
                name="bookings_no_overlap",
                index_type="GIST",
                expressions=[
                    (
                        Func(F("property_id"), F("property_id"), Value("[]"), function="int8range"),
                        RangeOperators.OVERLAPS,
                    ),
                    (Func(F("check_in"), F("check_out"), Value("[)"), function="daterange"), RangeOperators.OVERLAPS),
                ],
                condition=OCCUPIES,
                violation_error_code="dates_unavailable",
            ),
        ]

    def __str__(self) -> str:
        return self.number
