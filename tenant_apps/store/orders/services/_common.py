"""What the orders services share: the logger, notifications, and the open-return rule."""

from __future__ import annotations

import logging
from typing import Any

from tenant_apps.notifications.services import notify
from tenant_apps.store.orders.models import Order

logger = logging.getLogger("tenant_apps.store.orders")

#: Return statuses that keep an order from completing until an admin decides them.
OPEN_RETURN_STATUSES = ("requested", "received", "inspected")


def has_open_return(order: Order) -> bool:
    """Whether ``order`` has a return waiting for a decision (``returns.ReturnRequest``)."""
    from tenant_apps.store.returns.models import ReturnRequest

    return ReturnRequest.objects.filter(order_id=order.pk, status__in=OPEN_RETURN_STATUSES).exists()


def order_facts(order: Order) -> dict[str, Any]:
    """What a notification or audit row says about ``order`` (safe for its buyer to see)."""
    return {"order": order.pk, "number": order.number, "status": order.status}


def notify_order(order: Order, *, recipient: Any, verb: str, **extra: Any) -> None:
    """Notify ``recipient`` of ``verb`` about ``order`` (with its number and status, plus ``extra``)."""
    notify(recipient=recipient, verb=verb, target=order, extra_data={**order_facts(order), **extra})
