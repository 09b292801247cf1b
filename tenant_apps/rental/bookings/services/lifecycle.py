"""A booking after it is made: confirmed when paid, expired when its hold runs out, completed
(and the host paid) when the stay has ended.

Locks (``locks.py``): the booking's invoice, then the booking; completion then the host's wallet.
The webhook's transaction already holds the invoice when ``invoice_paid`` calls
``booking_confirm_paid``, and ``bookings_expire_due`` takes the same invoice lock before it looks
at a booking: a payment and an expiry of one booking run one after the other. Whichever is first
wins: a booking that expired had its invoice called off (its pending payment rejected), so a card
payment that succeeds afterwards is recorded ``refund_required`` by the payments app and never
confirms the booking, whose dates may already be someone else's. A payment that lands after
``expires_at`` but before the expiry task ran confirms the booking: it still held its nights.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError
from tenant_apps.audit.services import audit_record
from tenant_apps.payments.locks import invoice_lock
from tenant_apps.payments.models import Invoice
from tenant_apps.payments.services import invoice_call_off, invoice_refunded_amount
from tenant_apps.rental.bookings import pricing, selectors
from tenant_apps.rental.bookings.locks import booking_lock
from tenant_apps.rental.bookings.models import Booking, BookingStatus
from tenant_apps.rental.bookings.services._common import booking_facts, logger, notify_booking
from tenant_apps.rental.bookings.site import commission_percent, site_date


def booking_confirm_paid(*, invoice: Invoice) -> Booking | None:
    """``invoice_paid``: confirm the booking ``invoice`` bills (status ``confirmed``,
    ``confirmed_at`` now, no more ``expires_at``) and notify its guest and host
    (``booking.confirmed``). Runs in the payment's transaction, the invoice locked.

    ``None`` for an invoice that bills no booking. A booking that is no longer pending (expired or
    cancelled meanwhile) is left as it is and the payment recorded for a refund in the audit log
    (``booking.paid_after_release``): its dates may be someone else's now.
    """
    found = Booking.objects.filter(invoice_id=invoice.pk).values_list("pk", flat=True).first()
    if found is None:
        return None
    booking = booking_lock(found)
    if booking.status == BookingStatus.CONFIRMED:
        return booking
    if booking.status != BookingStatus.PENDING:
        logger.error("booking %s was paid while %s; refund invoice %s", booking.number, booking.status, invoice.number)
        audit_record(actor=None, verb="booking.paid_after_release", target=booking, changes=booking_facts(booking))
        return booking
    before = booking.status
    booking.status, booking.confirmed_at, booking.expires_at = BookingStatus.CONFIRMED, timezone.now(), None
    booking.save(update_fields=["status", "confirmed_at", "expires_at"])
    audit_record(
        actor=None,
        verb="booking.confirmed",
        target=booking,
        changes={"status": [before, booking.status], "invoice": invoice.number},
    )
    notify_booking(booking, recipient=booking.guest, verb="booking.confirmed")
    notify_booking(booking, recipient=booking.property.host, verb="booking.confirmed")
    return booking


def booking_expire(*, booking_id: int) -> bool:
    """Expire the pending booking ``booking_id`` if its hold has run out: status ``expired``, its
    invoice called off (``payments.services.invoice_call_off``: pending card payments rejected),
    its dates free again, its guest notified (``booking.expired``). ``False`` when there was
    nothing to do (paid, cancelled or renewed meanwhile)."""
    with transaction.atomic():
        invoice_id = Booking.objects.filter(pk=booking_id).values_list("invoice_id", flat=True).first()
        if invoice_id is not None:
            invoice_lock(invoice_id)
        booking = booking_lock(booking_id)
        now = timezone.now()
        if booking.status != BookingStatus.PENDING or booking.expires_at is None or booking.expires_at > now:
            return False
        booking.status = BookingStatus.EXPIRED
        booking.save(update_fields=["status"])
        if booking.invoice is not None:
            invoice_call_off(invoice=booking.invoice, reason=f"Booking {booking.number} expired unpaid.")
        audit_record(
            actor=None,
            verb="booking.expired",
            target=booking,
            changes={"status": [BookingStatus.PENDING, booking.status]},
        )
        notify_booking(booking, recipient=booking.guest, verb="booking.expired")
    return True


def bookings_expire_due() -> list[int]:
    """Expire every pending booking whose hold has run out (``booking_expire``, one transaction
    each); returns the ids expired. Safe to run concurrently with itself and with payments."""
    due = list(selectors.bookings_due_to_expire(now=timezone.now()).values_list("pk", flat=True))
    return _each(due, booking_expire, what="expired")


def booking_complete(*, booking_id: int, actor: Any = None) -> bool:
    """Complete the confirmed booking ``booking_id`` whose check-out day has passed (the site's
    date): status ``completed``, ``refund_amount`` what its payments gave back while it was
    confirmed, ``commission`` and ``host_payout`` from ``pricing.host_share`` (of what the guest
    kept paid) at the site's ``commission_percent``, the payout credited to the host's wallet once
    (ledger reference ``booking:<id>:payout``, ``wallet.services.wallet_earning``), the host notified
    (``booking.paid_out``). ``False`` when not due or already done. Wallet errors propagate
    (409 ``currency_mismatch`` when the property's currency is not the wallets')."""
    from tenant_apps.wallet.services import wallet_earning, wallet_open

    with transaction.atomic():
        invoice_id = Booking.objects.filter(pk=booking_id).values_list("invoice_id", flat=True).first()
        if invoice_id is not None:
            invoice_lock(invoice_id)  # first, as cancelling and refunding take it: no refund slips past
        booking = booking_lock(booking_id)
        if booking.status != BookingStatus.CONFIRMED or booking.check_out >= site_date():
            return False
        if invoice_id is not None:
            # refunds made while the stay was confirmed (an admin's goodwill) leave less to share
            booking.refund_amount = min(invoice_refunded_amount(invoice_id), booking.total)
        commission, payout = pricing.host_share(booking=booking, commission_percent=commission_percent())
        host = booking.property.host
        if payout > 0:
            wallet_earning(
                wallet=wallet_open(user=host),
                amount=payout,
                currency=booking.currency,
                actor=actor,
                reference=f"booking:{booking.pk}:payout",
                memo=f"Stay {booking.number} at {booking.property.title}",
            )
        booking.status, booking.completed_at = BookingStatus.COMPLETED, timezone.now()
        booking.commission, booking.host_payout = commission, payout
        booking.save(update_fields=["status", "completed_at", "commission", "host_payout", "refund_amount"])
        audit_record(
            actor=actor,
            verb="booking.completed",
            target=booking,
            changes={
                "status": [BookingStatus.CONFIRMED, booking.status],
                "commission": str(commission),
                "host_payout": str(payout),
            },
        )
        notify_booking(booking, recipient=host, verb="booking.paid_out", host_payout=str(payout))
    return True


def bookings_complete_due() -> list[int]:
    """Complete every confirmed booking whose check-out day has passed (``booking_complete``, one
    transaction each); returns the ids completed. Running it again completes and credits nothing.
    One booking's refusal is logged and does not stop the others."""
    due = list(selectors.bookings_due_to_complete(today=site_date()).values_list("pk", flat=True))
    return _each(due, booking_complete, what="completed")


def _each(ids: list[int], step: Any, *, what: str) -> list[int]:
    """Run ``step(booking_id=pk)`` for each id in its own transaction; the ids it did. A refusal
    (``ApplicationError``: a wallet limit, say) is logged and the next booking goes on."""
    done = []
    for pk in ids:
        try:
            if step(booking_id=pk):
                done.append(pk)
        except ApplicationError as exc:
            logger.warning("booking %s not %s: %s (%s)", pk, what, exc.message, exc.code)
    return done
