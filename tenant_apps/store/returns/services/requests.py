"""A buyer asks to return units of their order (seed 001, the store: returns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from tenant_apps.audit.services import audit_record
from tenant_apps.store.orders.locks import order_lock
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.returns.models import ReturnItem, ReturnRequest
from tenant_apps.store.returns.selectors import units_in_returns
from tenant_apps.store.returns.services._common import notify_return, return_facts
from tenant_apps.store.shop.services import store_settings

#: Orders whose units may be returned.
RETURNABLE_STATUSES = (OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass(frozen=True)
class ReturnLine:
    """``quantity`` (>= 1) units of the order item ``order_item`` (an id) to return."""

    order_item: int
    quantity: int


def return_window_ends_at(order: Order, *, window_days: int | None = None) -> datetime | None:
    """The last moment a return of ``order`` may be requested: ``delivered_at`` +
    ``return_window_days`` (site settings), or ``None`` before delivery."""
    if order.delivered_at is None:
        return None
    days = store_settings().return_window_days if window_days is None else window_days
    return order.delivered_at + timedelta(days=days)


def return_create(
    *, buyer: Any, order_id: int, lines: list[ReturnLine], reason: str, now: datetime | None = None
) -> ReturnRequest:
    """``buyer`` asks to return ``lines`` of their order ``order_id``, for ``reason``: a ``requested``
    return. Under the order's lock, each line's quantity is checked against the units bought less
    those in other open or approved returns (``selectors.units_in_returns``), so two requests cannot
    claim one unit twice. Notifies each seller of a returned item (``return.requested``).

    Raises ``permission_denied`` (403: not the buyer), ``order_not_delivered`` (409: the order is not
    ``delivered`` or ``completed``), ``return_window_closed`` (409; ``details.closed_at``),
    ``validation_error`` (400: no lines, a line twice, an item not of this order, no reason),
    ``return_quantity_exceeded`` (400; ``details.items``: ``[{order_item, requested, available}]``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Say why you return these items.", details={"reason": ["This field is required."]})
    if not lines:
        raise ApplicationError("Return at least one item.", details={"items": ["At least one item."]})
    wanted: dict[int, int] = {}
    for line in lines:
        if line.order_item in wanted:
            raise ApplicationError("An item is listed twice.", details={"items": ["Each item at most once."]})
        if line.quantity < 1:
            raise ApplicationError("Return at least one unit.", details={"items": ["Quantities are at least 1."]})
        wanted[line.order_item] = line.quantity
    moment = now or timezone.now()
    with transaction.atomic():
        order = order_lock(order_id)
        if buyer.pk != order.buyer_id:
            raise PermissionDenied("Only the buyer may return items of this order.")
        if order.status not in RETURNABLE_STATUSES:
            raise Conflict(
                "Only delivered orders can be returned.",
                code=ErrorCode.ORDER_NOT_DELIVERED,
                details={"status": order.status},
            )
        closes = return_window_ends_at(order)
        if closes is None or moment > closes:
            raise Conflict(
                "The return window of this order has closed.",
                code=ErrorCode.RETURN_WINDOW_CLOSED,
                details={"closed_at": closes.isoformat() if closes else None},
            )
        items = {item.pk: item for item in order.items.all()}
        unknown = sorted(set(wanted) - set(items))
        if unknown:
            raise ApplicationError(
                "These items are not in this order.", details={"items": [f"Unknown order items: {unknown}."]}
            )
        claimed = units_in_returns(order_id=order.pk)
        exceeded = [
            {"order_item": pk, "requested": quantity, "available": items[pk].quantity - claimed.get(pk, 0)}
            for pk, quantity in sorted(wanted.items())
            if quantity > items[pk].quantity - claimed.get(pk, 0)
        ]
        if exceeded:
            raise ApplicationError(
                "More units than can still be returned.",
                code=ErrorCode.RETURN_QUANTITY_EXCEEDED,
                details={"items": exceeded},
            )
        return_request = ReturnRequest.objects.create(order=order, buyer=buyer, reason=reason)
        ReturnItem.objects.bulk_create(
            [
                ReturnItem(return_request=return_request, order_item_id=pk, quantity=q)
                for pk, q in sorted(wanted.items())
            ]
        )
        audit_record(
            actor=buyer,
            verb="return.requested",
            target=return_request,
            changes={**return_facts(return_request), "items": {str(pk): q for pk, q in sorted(wanted.items())}},
        )
        for seller in sorted({items[pk].seller for pk in wanted}, key=lambda user: user.pk):
            notify_return(return_request, recipient=seller, verb="return.requested")
    return return_request
