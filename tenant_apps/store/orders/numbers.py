"""Order numbers: what buyers, sellers and couriers quote (``20261203-7F3A9C21``).

The date (UTC) and eight random hexadecimal digits: not guessable from another order's number,
unique by the column's constraint (a collision, about one in four billion per day, fails the
insert and the caller's transaction, never two orders with one number).
"""

from __future__ import annotations

import secrets

from django.utils import timezone


def new_order_number() -> str:
    """A new order number: ``YYYYMMDD-XXXXXXXX`` (UTC date, 8 random upper-case hex digits)."""
    return f"{timezone.now():%Y%m%d}-{secrets.token_hex(4).upper()}"
