"""``incentive_rows``: the writing race tests' ``committed``, which also deletes the discount and
loyalty rows the test committed (before ``committed`` deletes the orders, wallets and users they
name)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

#: Children first.
TABLES = (
    "writing_discounts_discountuse",
    "writing_discounts_discount_options",
    "writing_discounts_discount",
    "writing_loyalty_pointsentry",
    "writing_loyalty_loyaltyaccount",
    "writing_loyalty_loyaltysettings",
)


def _delete_all() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f'DELETE FROM "{table}"')


@pytest.fixture
def incentive_rows(committed: Callable[[Callable[[], Any]], Any]) -> Iterator[Callable[[Callable[[], Any]], Any]]:
    """``committed``, and every discount and loyalty row deleted afterwards (the session's golf site
    has none of its own outside a test's transaction)."""
    try:
        yield committed
    finally:
        committed(_delete_all)
