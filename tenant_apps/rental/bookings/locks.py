"""Row locks of the bookings app (see ``docs/architecture.md``, "Locks in one order").

* Booking a stay locks the **property** (``properties.locks.property_lock``) before it reads the
  calendar and inserts the booking, then creates the booking's invoice (the invoice counter).
* Everything that changes an existing booking locks its **invoice first** (``payments.locks.
  invoice_lock``), then the **booking** (``booking_lock``): the payment webhook holds the invoice
  when ``invoice_paid`` reaches the bookings receiver, so paying, expiring and cancelling one
  booking queue up on the invoice and never wait for each other the other way round.
* Completion locks the booking, then the host's wallet (``wallet.services`` lock wallets last).
"""

from __future__ import annotations

from tenant_apps.rental.bookings.models import Booking


def booking_lock(pk: int) -> Booking:
    """The booking row, locked until the transaction ends (call inside ``transaction.atomic``,
    after its invoice's ``invoice_lock``), with its property and guest; ``Booking.DoesNotExist``
    when missing."""
    return (
        Booking.objects.select_for_update(no_key=True, of=("self",))
        .select_related("property", "property__host", "guest")
        .get(pk=pk)
    )
