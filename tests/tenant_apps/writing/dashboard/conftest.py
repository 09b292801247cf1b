"""Helpers of the writing dashboard tests: the URL, orders walked to a status, and the two states the
order services cannot reach yet (a dispute, a client's rating: another issue adds their services).
"""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.orders.models import Order, OrderStatus
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import make_order

DASHBOARD = "/api/v1/dashboard/"

__all__ = ["DASHBOARD", "dispute", "make_order", "rate"]


def dispute(writing: Writing, **kwargs: Any) -> Order:
    """A delivered order of cleo's, then disputed by her (set directly: no dispute service yet)."""
    order = make_order(writing, "delivered", **kwargs)
    with tenant_context(writing.tenant):
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.DISPUTED, dispute_reason="Off topic.")
        return Order.objects.get(pk=order.pk)


def rate(writing: Writing, order: Order, rating: int) -> None:
    """The client's rating of the completed ``order`` (set directly: approval does not take one yet)."""
    with tenant_context(writing.tenant):
        Order.objects.filter(pk=order.pk).update(rating=rating)
