"""Demo returns for ``manage.py setup_demo`` on a store site: a buyer's delivered orders get a
return of one unit, requested through the services.

Call inside the store tenant's context after the orders' demo (``orders.demo.seed_orders``)::

    from tenant_apps.store.returns.demo import seed_returns_demo

    with tenant_context(tenant):
        seed_returns_demo(buyer=ann)

Idempotent: an order that has a return already (whatever its status) gets no other one; an order
whose return window has closed is skipped.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.returns.models import ReturnRequest
from tenant_apps.store.returns.services import ReturnLine, return_create, return_window_ends_at

DEMO_REASON = "Demo: the size does not fit."


def seed_returns_demo(*, buyer: Any) -> list[ReturnRequest]:
    """A ``requested`` return of one unit of the first item of each of ``buyer``'s ``delivered``
    orders without a return, inside the return window; returns the returns made (``[]`` when run
    again)."""
    made: list[ReturnRequest] = []
    now = timezone.now()
    orders = Order.objects.filter(buyer_id=buyer.pk, status=OrderStatus.DELIVERED, returns__isnull=True)
    for order in orders.order_by("pk"):
        closes = return_window_ends_at(order)
        first = order.items.order_by("id").first()
        if first is None or closes is None or now > closes:
            continue
        made.append(
            return_create(
                buyer=buyer, order_id=order.pk, lines=[ReturnLine(order_item=first.pk, quantity=1)], reason=DEMO_REASON
            )
        )
    return made
