"""Booking numbers: what guests, hosts and agents quote (``BK-7F3A9C21``).

Eight random hexadecimal digits: not guessable from another booking's number, unique by the
column's constraint (a collision fails the insert, never two bookings with one number).
"""

from __future__ import annotations

import secrets


def new_booking_number() -> str:
    """A new booking number: ``BK-XXXXXXXX`` (8 random upper-case hex digits)."""
    return f"BK-{secrets.token_hex(4).upper()}"
