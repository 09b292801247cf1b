"""Cancelling a booking: by its guest or an admin, under the property's cancellation policy.

A pending booking is cancelled and its invoice called off (nothing was paid). A confirmed one is
cancelled with ``refund_amount = pricing.refund_for(...)``, given back through Stripe on the
booking's card payments (``payments.services.payment_refund``, newest payment first). The other
side is notified: the host when the guest cancels, the guest (and the host) when an admin does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.locks import invoice_lock
from tenant_apps.payments.models import Invoice, Payment, PaymentStatus
from tenant_apps.payments.services import invoice_call_off, invoice_refunded_amount
from tenant_apps.rental.bookings import pricing
from tenant_apps.rental.bookings.access import can_cancel_booking
from tenant_apps.rental.bookings.locks import booking_lock
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.services._common import notify_booking
from tenant_apps.rental.bookings.site import site_date

ZERO = Decimal("0.00")


def _refund(invoice: Invoice, *, amount: Decimal, reason: str, actor: Any) -> None:
    """Give ``amount`` of ``invoice``'s approved payments back through the payments app, newest
    payment first (a booking is normally paid by one card payment), each payment at most what it
    has not given back yet."""
    from tenant_apps.payments.services import payment_refund, refunded_amount

    left = amount
    for payment in Payment.objects.filter(invoice_id=invoice.pk, status=PaymentStatus.APPROVED).order_by("-pk"):
        if left <= 0:
            break
        part = min(left, payment.amount - refunded_amount(payment))
        if part > 0:
            payment_refund(payment=payment, amount=part, reason=reason, actor=actor)
            left -= part


def booking_cancel(*, booking: Booking, actor: Any, reason: str = "") -> Booking:
    """Cancel ``booking`` for ``actor`` (its guest, or an admin) with ``reason``.

    * ``pending``: cancelled, its invoice called off, ``refund_amount`` 0.
    * ``confirmed``: cancelled with ``refund_amount = pricing.refund_for(booking, now)`` (0 to the
      total, in its currency): what the guest gets back in all. What its payments gave back
      already (an admin's goodwill refund) counts towards it, so only the difference is refunded
      through Stripe, and ``refund_amount`` is the larger of the two.

    The dates are free at once. Raises ``PermissionDenied`` (403: not the guest nor an admin),
    ``Conflict`` 409 ``invalid_status_transition`` (completed, cancelled or expired already, or a
    confirmed stay whose check-out day, in the site's time zone, has come: its nights were stayed,
    so it is completed and its host paid, never cancelled for nothing back), and
    the payments app's refund errors (502 ``payment_provider_error``...: nothing is cancelled then).
    """
    if not can_cancel_booking(actor, booking):
        raise PermissionDenied("Only the booking's guest or an admin cancels it.")
    with transaction.atomic():
        if booking.invoice_id is not None:
            invoice_lock(booking.invoice_id)
        locked = booking_lock(booking.pk)
        if locked.status not in (BookingStatus.PENDING, BookingStatus.CONFIRMED):
            raise Conflict(
                f"This booking is {locked.status}: it cannot be cancelled.", code=ErrorCode.INVALID_STATUS_TRANSITION
            )
        if locked.status == BookingStatus.CONFIRMED and locked.check_out <= site_date():
            # every night was stayed: the booking is completed (and its host paid), not cancelled
            raise Conflict(
                f"This stay ended on {locked.check_out.isoformat()}: it can no longer be cancelled.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
            )
        now = timezone.now()
        before = locked.status
        refund = pricing.refund_for(booking=locked, cancelled_at=now)
        text = reason.strip()
        if before == BookingStatus.PENDING and locked.invoice is not None:
            invoice_call_off(invoice=locked.invoice, reason=f"Booking {locked.number} cancelled.", actor=actor)
        elif locked.invoice is not None:
            # the policy's amount is what the guest gets back in all: earlier refunds count towards it
            already = invoice_refunded_amount(locked.invoice.pk)
            if refund > already:
                reason_text = text or f"Booking {locked.number} cancelled."
                _refund(locked.invoice, amount=refund - already, reason=reason_text, actor=actor)
            refund = max(refund, already)
        locked.status, locked.cancelled_at, locked.cancelled_by = BookingStatus.CANCELLED, now, actor
        locked.cancel_reason, locked.refund_amount, locked.expires_at = text, refund, None
        locked.save(
            update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "refund_amount", "expires_at"]
        )
        audit_record(
            actor=actor,
            verb="booking.cancelled",
            target=locked,
            changes={"status": [before, locked.status], "refund_amount": str(refund), "reason": text},
        )
        extra = {"refund_amount": str(refund), "reason": text}
        if actor.pk != locked.guest_id:
            notify_booking(locked, recipient=locked.guest, verb="booking.cancelled", **extra)
        if actor.pk != locked.property.host_id:
            notify_booking(locked, recipient=locked.property.host, verb="booking.cancelled", **extra)
    return locked
