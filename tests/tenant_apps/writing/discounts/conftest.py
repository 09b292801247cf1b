"""Helpers of the writing discounts tests: URLs, a quote body and discounts made by the service.

The default order (``orders.conftest.order_body``) is 2 undergraduate pages due in 14 days: 24.00.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.discounts.models import Discount
from tests.factories import DiscountFactory
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import order_body

DISCOUNTS = "/api/v1/discounts/"
QUOTE = "/api/v1/quote/"


def quote_body(**overrides: Any) -> dict[str, Any]:
    """A ``POST /quote/`` body for the default 24.00 order."""
    body = order_body(**overrides)
    for field in ("topic", "sources", "instructions"):
        body.pop(field, None)
    return body


def make_discount(writing: Writing, **fields: Any) -> Discount:
    """A discount of the golf site (``DiscountFactory``: by default code ``SAVE10``, 10 % off)."""
    with tenant_context(writing.tenant):
        return DiscountFactory(**fields)


def line_amounts(body: dict[str, Any]) -> dict[str, Decimal]:
    """A quote's or order's lines, ``{kind: amount}``."""
    lines = body.get("lines") or body.get("price_lines") or []
    return {line["kind"]: Decimal(line["amount"]) for line in lines}
