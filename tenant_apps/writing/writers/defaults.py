"""The writer levels every new writing site starts with.

``migrations/0002_defaults`` inserts them into the kind's template schema (every writing site is
cloned from it); the site's admins then edit them. ``standard`` is the default level and pays half
of an order's total, as the site-wide share did before levels (a site that had changed that share
keeps it as ``standard``'s). Per-page amounts are in the pricing currency.
"""

from __future__ import annotations

from decimal import Decimal

#: ``(slug, name, share_percent, per_page_amount, is_default)`` by position.
LEVELS: tuple[tuple[str, str, Decimal, Decimal, bool], ...] = (
    ("standard", "Standard", Decimal("50.00"), Decimal("5.00"), True),
    ("advanced", "Advanced", Decimal("60.00"), Decimal("6.00"), False),
    ("expert", "Expert", Decimal("70.00"), Decimal("7.50"), False),
)
