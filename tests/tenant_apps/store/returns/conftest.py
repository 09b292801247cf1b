"""Helpers of the returns tests: orders of the ``gamma`` store's people, URLs, money read back.

Everything is written through the services (``tests/factories/store_orders.py``,
``tests/factories/store_returns.py``), inside the test's rolled-back transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.orders.demo import order_buy, order_walk
from tenant_apps.store.orders.models import Order
from tenant_apps.wallet.selectors import wallet_of
from tests.conftest import SESSION_TENANTS
from tests.factories import StoreProductFactory

RETURNS = "/api/v1/returns/"


def return_url(pk: int, action: str = "") -> str:
    """``/api/v1/returns/{pk}/`` plus ``action`` and a slash (``receive``, ``inspect``...)."""
    return f"{RETURNS}{pk}/" + (f"{action}/" if action else "")


def order_of(*, buyer: Any, courier: Any, lines: list[tuple[Any, str, int]], to: str = "delivered") -> Order:
    """An order of ``buyer`` for ``lines`` ``[(seller, price, quantity)]`` (a new approved product
    each), walked to ``to`` by ``courier`` (call in the store's schema)."""
    products = [(StoreProductFactory(seller=seller, price=price, approved=True), q) for seller, price, q in lines]
    return order_walk(order=order_buy(buyer=buyer, lines=products), to=to, courier=courier)


def money(user: Any) -> tuple[Decimal, Decimal]:
    """``(balance, held_balance)`` of ``user``'s wallet (current schema)."""
    wallet = wallet_of(user=user)
    return wallet.balance, wallet.held_balance


@pytest.fixture(autouse=True)
def _books_balance(session_tenants: dict[str, Tenant], db: None) -> Iterator[None]:
    """After every test, in every store tenant: each wallet equals the sums of its ledger."""
    from tenant_apps.wallet.selectors import ledger_discrepancies

    yield
    for slug, kind in SESSION_TENANTS.items():
        if kind == "store":
            with tenant_context(session_tenants[slug]):
                assert ledger_discrepancies() == [], f"wallets disagree with their ledger in {slug}"
