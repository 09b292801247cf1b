"""Writes on bookings, in the current rental schema.

Who may call what: ``access.py`` (views check roles; services that act for a user check again).
Locks (``locks.py``): booking a stay locks the property, then creates the invoice; every change
of an existing booking locks its invoice, then the booking; completion then the host's wallet.
Every function is atomic, audits each state change (``audit_record``) and notifies the other side
(``notify``, published after commit).

* ``booking``: ``booking_create``, ``booking_pay``.
* ``cancel``: ``booking_cancel`` (refunds under the property's policy, ``pricing.refund_for``).
* ``lifecycle``: ``booking_confirm_paid`` (``invoice_paid``), ``booking_expire`` /
  ``bookings_expire_due``, ``booking_complete`` / ``bookings_complete_due``.
"""

from tenant_apps.rental.bookings.services.booking import BookingCheckout, booking_create, booking_pay
from tenant_apps.rental.bookings.services.cancel import booking_cancel
from tenant_apps.rental.bookings.services.lifecycle import (
    booking_complete,
    booking_confirm_paid,
    booking_expire,
    bookings_complete_due,
    bookings_expire_due,
)

__all__ = [
    "BookingCheckout",
    "booking_cancel",
    "booking_complete",
    "booking_confirm_paid",
    "booking_create",
    "booking_expire",
    "booking_pay",
    "bookings_complete_due",
    "bookings_expire_due",
]
