"""Store returns, made by ``store.returns.services`` along the allowed transitions.

``ReturnRequestFactory(status="inspected")`` is a return of every unit of a delivered order's
items (default: a new ``StoreOrderFactory(delivered=True)``), requested by its buyer, received and
inspected by the order's courier (each item ``condition``), and for ``approved``/``rejected``
decided by the site's admin: the refund, restock and penalty are what the product makes.
"""

from __future__ import annotations

from typing import Any

import factory

from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.returns.models import ItemCondition, ReturnRequest, ReturnStatus
from tenant_apps.store.returns.services import (
    InspectedItem,
    ReturnLine,
    return_approve,
    return_create,
    return_inspect,
    return_receive,
    return_reject,
)
from tests.factories.base import ServiceFactory, site_admin
from tests.factories.store_orders import StoreOrderFactory

#: The forward path of a return; ``rejected`` branches off any open status.
_PATH = (ReturnStatus.RECEIVED, ReturnStatus.INSPECTED, ReturnStatus.APPROVED)


def _delivered_order() -> Order:
    return StoreOrderFactory(status=OrderStatus.DELIVERED, quantity=2)


class ReturnRequestFactory(ServiceFactory[ReturnRequest]):
    """A return of ``order`` (default: a new delivered order of 2 units) by its buyer: ``lines``
    ``[(order item, quantity)]`` (default: every unit of every item), for ``reason``; walked to
    ``status`` (``requested`` by default) by ``handler`` (default: the order's courier) and
    ``decided_by`` (default: the site's admin), items found ``condition``, approved with
    ``penalty_points`` or rejected with ``decision_reason``.

    Traits: ``received``, ``inspected``, ``approved``, ``rejected``.
    """

    class Meta:
        model = ReturnRequest

    class Params:
        received = factory.Trait(status=ReturnStatus.RECEIVED)
        inspected = factory.Trait(status=ReturnStatus.INSPECTED)
        approved = factory.Trait(status=ReturnStatus.APPROVED)
        rejected = factory.Trait(status=ReturnStatus.REJECTED)

    order = factory.LazyFunction(_delivered_order)
    lines: list[tuple[Any, int]] | None = None
    reason = "Does not fit."
    status = ReturnStatus.REQUESTED
    handler: Any = None
    decided_by: Any = None
    condition = ItemCondition.RESELLABLE
    penalty_points = 0
    decision_reason = "Worn, not returnable."

    @classmethod
    def _create(
        cls,
        model_class: type[ReturnRequest],
        *,
        order: Order,
        lines: list[tuple[Any, int]] | None,
        reason: str,
        status: str,
        handler: Any,
        decided_by: Any,
        condition: str,
        penalty_points: int,
        decision_reason: str,
    ) -> ReturnRequest:
        chosen = lines if lines is not None else [(item, item.quantity) for item in order.items.order_by("id")]
        made = return_create(
            buyer=order.buyer,
            order_id=order.pk,
            lines=[ReturnLine(order_item=item.pk, quantity=quantity) for item, quantity in chosen],
            reason=reason,
        )
        handler = handler or order.delivery_user or site_admin()
        if status == ReturnStatus.REJECTED:
            made = return_reject(return_id=made.pk, actor=decided_by or site_admin(), reason=decision_reason)
        elif status in _PATH:
            for step in _PATH[: _PATH.index(status) + 1]:
                if step == ReturnStatus.RECEIVED:
                    made = return_receive(return_id=made.pk, actor=handler)
                elif step == ReturnStatus.INSPECTED:
                    items = [InspectedItem(id=row.pk, condition=condition) for row in made.items.all()]
                    made = return_inspect(return_id=made.pk, actor=handler, items=items)
                else:
                    made = return_approve(
                        return_id=made.pk, actor=decided_by or site_admin(), penalty_points=penalty_points
                    )
        elif status != ReturnStatus.REQUESTED:
            raise ValueError(f"ReturnRequestFactory: unknown status {status!r}")
        made.refresh_from_db()
        return made
