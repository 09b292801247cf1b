"""Helpers of the writing dashboard tests: the URL, and orders walked to a status through the
services (``OrderFactory``): a disputed one, a completed one with the client's rating."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.orders.models import Order, OrderStatus
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order

DASHBOARD = "/api/v1/dashboard/"

__all__ = ["DASHBOARD", "dispute", "make_order", "rated"]


def dispute(writing: Writing, **kwargs: Any) -> Order:
    """An order of cleo's, delivered, then disputed by her (``order_dispute``)."""
    return make_order(writing, OrderStatus.DISPUTED, **kwargs)


def rated(writing: Writing, rating: int, **kwargs: Any) -> Order:
    """An order of cleo's, delivered, then approved by her with ``rating`` (``order_approve``),
    and her review of it with that ``rating``, published by the admin (a writer's rating is their
    published reviews': the reviews app)."""
    from tests.factories import OrderReviewFactory

    order = make_order(writing, OrderStatus.COMPLETED, rating=rating, **kwargs)
    with tenant_context(writing.tenant):
        OrderReviewFactory(order=order, rating=rating, published=True)
    return order
