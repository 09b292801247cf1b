"""Order numbers: what clients, writers and support quote (``WO-7F3A9C21``).

Eight random hexadecimal digits: not guessable from another order's number, unique by the
column's constraint (a collision fails the insert, never two orders with one number).
"""

from __future__ import annotations

import secrets


def new_order_number() -> str:
    """A new order number: ``WO-XXXXXXXX`` (8 random upper-case hex digits)."""
    return f"WO-{secrets.token_hex(4).upper()}"
