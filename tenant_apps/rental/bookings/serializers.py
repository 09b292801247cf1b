"""Bookings API shapes. Amounts are decimal strings with 2 places (``"350.00"``) in ``currency``
(the property's); dates ISO 8601 (``2030-07-01``), the site's calendar; datetimes ISO 8601 in UTC."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.rental.bookings.access import is_booking_staff, sees_guest_contact
from tenant_apps.rental.bookings.models import Booking
from tenant_apps.rental.bookings.pricing import Quote
from tenant_apps.rental.properties.models import CancellationPolicy, Property, PropertyStatus

#: The most guests a request may name (the property's ``max_guests`` decides below that).
MAX_GUESTS = 1000


def _money() -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)


class StayInputSerializer(serializers.Serializer):
    """A stay: ``property`` (a published property's id), ``check_in`` and ``check_out`` (dates; the
    nights ``[check_in, check_out)``), ``guests`` (1 or more)."""

    property = serializers.PrimaryKeyRelatedField(queryset=Property.objects.filter(status=PropertyStatus.PUBLISHED))
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField(min_value=1, max_value=MAX_GUESTS)


class BookingCreateSerializer(StayInputSerializer):
    """``POST /bookings/`` body: the stay to book."""


class QuoteQuerySerializer(StayInputSerializer):
    """``GET /bookings/quote/`` query parameters: the stay to price."""


class QuoteSerializer(serializers.Serializer):
    """A stay's price: ``total = nights x nightly_price + cleaning_fee`` in ``currency``."""

    property = serializers.IntegerField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    guests = serializers.IntegerField()
    nights = serializers.IntegerField()
    nightly_price = _money()
    cleaning_fee = _money()
    total = _money()
    currency = serializers.CharField()
    available = serializers.BooleanField(help_text="Whether every night is free right now.")

    @staticmethod
    def of(*, property: Property, data: dict[str, Any], quote: Quote, available: bool) -> dict[str, Any]:
        """The response body of a quote."""
        return {
            "property": property.pk,
            "check_in": data["check_in"].isoformat(),
            "check_out": data["check_out"].isoformat(),
            "guests": data["guests"],
            "nights": quote.nights,
            "nightly_price": str(quote.nightly_price),
            "cleaning_fee": str(quote.cleaning_fee),
            "total": str(quote.total),
            "currency": quote.currency,
            "available": available,
        }


class CancelSerializer(serializers.Serializer):
    """``reason``: why (optional, up to 1000 characters)."""

    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class BookingPropertySerializer(serializers.ModelSerializer):
    """The property booked, briefly."""

    cancellation_policy = NamedChoiceField(
        choices=CancellationPolicy.choices, read_only=True, component_name="CancellationPolicyEnum"
    )

    class Meta:
        model = Property
        fields = ("id", "title", "city", "country", "check_in_time", "check_out_time", "cancellation_policy")
        read_only_fields = fields


class BookingGuestSerializer(serializers.Serializer):
    """The guest: ``name`` for whoever sees the booking; ``email`` and ``phone`` only for the guest
    and the site's staff (``null`` for the host)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)


class BookingInvoiceSerializer(serializers.Serializer):
    """The booking's invoice (``/api/v1/invoices/{id}/`` for its guest)."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()


class BookingSerializer(serializers.ModelSerializer):
    """A booking as the requester may see it: the price breakdown, the invoice, the guest (contact
    details for the guest and staff only), and ``commission`` / ``host_payout`` for the host and
    staff (``null`` for the guest)."""

    property = BookingPropertySerializer(read_only=True)
    guest = serializers.SerializerMethodField()
    invoice = serializers.SerializerMethodField()
    nightly_price = _money()
    cleaning_fee = _money()
    total = _money()
    refund_amount = _money()
    commission = serializers.SerializerMethodField()
    host_payout = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = (
            "id",
            "number",
            "status",
            "property",
            "guest",
            "check_in",
            "check_out",
            "guests",
            "nights",
            "nightly_price",
            "cleaning_fee",
            "total",
            "currency",
            "invoice",
            "expires_at",
            "confirmed_at",
            "cancelled_at",
            "cancel_reason",
            "refund_amount",
            "completed_at",
            "commission",
            "host_payout",
            "created_at",
        )
        read_only_fields = fields

    def _user(self) -> Any:
        return self.context["request"].user

    @extend_schema_field(BookingGuestSerializer)
    def get_guest(self, booking: Booking) -> dict[str, Any]:
        guest = booking.guest
        contact = sees_guest_contact(self._user(), booking)
        return {
            "id": guest.pk,
            "name": guest.get_full_name(),
            "email": guest.email if contact else None,
            "phone": (guest.phone or None) if contact else None,
        }

    @extend_schema_field(BookingInvoiceSerializer(allow_null=True))
    def get_invoice(self, booking: Booking) -> dict[str, Any] | None:
        invoice = booking.invoice
        if invoice is None:
            return None
        return {"id": invoice.pk, "number": invoice.number, "status": invoice.status}

    def _sees_payout(self, booking: Booking) -> bool:
        user = self._user()
        return user.pk == booking.property.host_id or is_booking_staff(user)

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_commission(self, booking: Booking) -> str | None:
        return str(booking.commission) if self._sees_payout(booking) else None

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_host_payout(self, booking: Booking) -> str | None:
        return str(booking.host_payout) if self._sees_payout(booking) else None


class BookingPaymentSerializer(serializers.Serializer):
    """A started card payment: confirm ``client_secret`` with Stripe.js; the booking is confirmed
    when Stripe's webhook reports the payment."""

    booking = serializers.IntegerField()
    payment = serializers.IntegerField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    amount = _money()
    currency = serializers.CharField()
