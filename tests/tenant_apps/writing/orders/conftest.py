"""Helpers of the writing orders tests: URLs, an order body and orders walked to a status (the
race tests' ``committed`` is in the writing tests' conftest).

The table is the session site's default one (``writing/pricing/defaults.py``): undergraduate is
12.00 a page for 14 days, so the default 2-page double-spaced order due in 14 days is 24.00.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.orders.models import Order, OrderSettings
from tenant_apps.writing.orders.services import order_settings
from tests.api import error_code
from tests.factories import OrderFactory
from tests.tenant_apps.writing.conftest import Writing

ORDERS = "/api/v1/orders/"
TOTAL = Decimal("24.00")

__all__ = ["ORDERS", "TOTAL", "error_code", "fund", "make_order", "order_body", "order_url", "set_settings"]


def order_url(pk: Any, action: str = "") -> str:
    """``/api/v1/orders/{pk}/{action}``."""
    return f"{ORDERS}{pk}/{action}"


def order_body(**overrides: Any) -> dict[str, Any]:
    """A ``POST /orders/`` body: 2 double-spaced undergraduate pages due in 14 days (24.00)."""
    deadline = (timezone.now() + timedelta(days=14)).isoformat()
    body: dict[str, Any] = {
        "topic": "The causes of the First World War",
        "academic_level": "undergraduate",
        "deadline": deadline,
        "pages": 2,
        "spacing": "double",
        "sources": 5,
        "instructions": "Chicago style, footnotes.",
    }
    body.update(overrides)
    return body


def make_order(writing: Writing, status: str = "unpaid", **kwargs: Any) -> Order:
    """An order of cleo's in ``status`` (``OrderFactory``), wren writing and eddie editing it."""
    kwargs.setdefault("client", writing.cleo)
    kwargs.setdefault("writer", writing.wren)
    kwargs.setdefault("editor", writing.eddie)
    with tenant_context(writing.tenant):
        return OrderFactory(status=status, **kwargs)


def fund(writing: Writing, who: str, amount: Decimal | str) -> None:
    """Top up ``who``'s wallet with ``amount``."""
    with tenant_context(writing.tenant):
        wallet_top_up(wallet=wallet_open(user=getattr(writing, who)), amount=amount, memo="test funds")


def set_settings(writing: Writing, **fields: Any) -> OrderSettings:
    """Change the site's order settings directly (test set-up)."""
    with tenant_context(writing.tenant):
        row = order_settings()
        for field, value in fields.items():
            setattr(row, field, value)
        row.save()
        return row
