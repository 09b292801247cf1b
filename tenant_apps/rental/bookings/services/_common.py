"""What the bookings services share: the logger, notifications and what they say of a booking."""

from __future__ import annotations

import logging
from typing import Any

from tenant_apps.notifications.services import notify
from tenant_apps.rental.bookings.models import Booking

logger = logging.getLogger("tenant_apps.rental.bookings")


def booking_facts(booking: Booking) -> dict[str, Any]:
    """What a notification or audit row says about ``booking`` (safe for its guest and host)."""
    return {
        "booking": booking.pk,
        "number": booking.number,
        "status": booking.status,
        "property": booking.property_id,
        "check_in": booking.check_in.isoformat(),
        "check_out": booking.check_out.isoformat(),
        "total": str(booking.total),
        "currency": booking.currency,
    }


def notify_booking(booking: Booking, *, recipient: Any, verb: str, **extra: Any) -> None:
    """Notify ``recipient`` of ``verb`` about ``booking`` (its facts plus ``extra``)."""
    notify(recipient=recipient, verb=verb, target=booking, extra_data={**booking_facts(booking), **extra})
