"""Helpers of the writing dashboard tests: the URL, and orders walked to a status through the
services (``OrderFactory``): a disputed one, a completed one with the client's rating."""

from __future__ import annotations

from typing import Any

from tenant_apps.writing.orders.models import Order, OrderStatus
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order

DASHBOARD = "/api/v1/dashboard/"

__all__ = ["DASHBOARD", "dispute", "make_order", "rated"]


def dispute(writing: Writing, **kwargs: Any) -> Order:
    """An order of cleo's, delivered, then disputed by her (``order_dispute``)."""
    return make_order(writing, OrderStatus.DISPUTED, **kwargs)


def rated(writing: Writing, rating: int, **kwargs: Any) -> Order:
    """An order of cleo's, delivered, then approved by her with ``rating`` (``order_approve``)."""
    return make_order(writing, OrderStatus.COMPLETED, rating=rating, **kwargs)
