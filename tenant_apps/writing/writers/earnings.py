"""The one place a writer's earning for an order is computed (pure: no query, no write).

``earning_for``: with ``earning_mode`` ``share``, the level's ``share_percent`` of ``kept``
rounded half up to the currency's step; with ``per_page``, the level's ``per_page_amount`` times
``pages``; never above ``kept`` (what the client paid for the order less what was refunded to
them), never below zero.
"""

from __future__ import annotations

from decimal import Decimal

from saas.money import round_money
from tenant_apps.writing.writers.models import WriterLevel

SHARE, PER_PAGE = "share", "per_page"
HUNDRED = Decimal("100")
ZERO = Decimal("0.00")


def earning_for(*, level: WriterLevel, mode: str, kept: Decimal, pages: int, currency: str) -> Decimal:
    """The earning (``Decimal``, 2 places, in ``currency``) of a writer of ``level`` for an order
    of ``pages`` of which the site kept ``kept``; ``mode`` ``share`` or ``per_page``."""
    if kept <= 0:
        return ZERO
    per_page = mode == PER_PAGE
    amount = level.per_page_amount * pages if per_page else kept * level.share_percent / HUNDRED
    return min(round_money(amount, currency), kept)
