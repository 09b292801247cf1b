"""Writing orders, made by ``writing.orders.services`` and walked to their status through them.

``OrderFactory()`` places a 2-page, double-spaced undergraduate order due in 14 days for a new
client (``order_place``: priced by the site's table, invoiced), ``unpaid``. Traits, one per status
past it: ``available`` (paid from the client's wallet, topped up with the total first),
``assigned`` (an admin assigns ``writer``, default a new writer), ``in_progress``, ``in_review``,
``delivered`` (``editor``, default a new editor, delivers), ``revision_requested``, ``disputed``
(the client disputes the delivery), ``completed`` (the client approves, with ``rating`` if given:
the writer's earning is credited by their level and the site's earning mode) and ``cancelled``
(by the client, unpaid).

``OrderRefundFactory(order=...)`` refunds ``amount`` (default 5.00) of a paid cancelled or
disputed order to its client's wallet, decided by the site's admin (``order_refund``).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.wallet.services import wallet_open, wallet_top_up
from tenant_apps.writing.orders import services
from tenant_apps.writing.orders.models import Order, OrderRefund, OrderStatus
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin

#: The statuses in the order the factory walks them.
_PATH = (
    OrderStatus.UNPAID,
    OrderStatus.AVAILABLE,
    OrderStatus.ASSIGNED,
    OrderStatus.IN_PROGRESS,
    OrderStatus.IN_REVIEW,
    OrderStatus.DELIVERED,
)


def pay_from_wallet(order: Order) -> Order:
    """Top up ``order``'s client's wallet with its total and pay it from there (``available``)."""
    wallet_top_up(wallet=wallet_open(user=order.client), amount=order.total, memo="test funds")
    return services.order_pay_wallet(order=order, payer=order.client)


class OrderFactory(ServiceFactory[Order]):
    """An order by ``client`` (default: a new client) walked to ``status`` through the services
    (see the module); ``writer`` and ``editor`` (default: new ones) take it when its status needs
    them."""

    class Meta:
        model = Order

    class Params:
        available = factory.Trait(status=OrderStatus.AVAILABLE)
        assigned = factory.Trait(status=OrderStatus.ASSIGNED)
        in_progress = factory.Trait(status=OrderStatus.IN_PROGRESS)
        in_review = factory.Trait(status=OrderStatus.IN_REVIEW)
        delivered = factory.Trait(status=OrderStatus.DELIVERED)
        revision_requested = factory.Trait(status=OrderStatus.REVISION_REQUESTED)
        disputed = factory.Trait(status=OrderStatus.DISPUTED)
        completed = factory.Trait(status=OrderStatus.COMPLETED)
        cancelled = factory.Trait(status=OrderStatus.CANCELLED)

    client = factory.SubFactory(UserFactory, roles=["client"])
    topic = factory.Sequence(lambda n: f"Essay {n}")
    academic_level = "undergraduate"
    deadline: Any = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    pages = 2
    spacing = "double"
    status = OrderStatus.UNPAID
    writer: Any = None
    editor: Any = None
    rating: int | None = None

    @classmethod
    def _create(cls, model_class: type[Order], *args: Any, **kwargs: Any) -> Order:
        status = kwargs.pop("status")
        writer, editor, rating = kwargs.pop("writer"), kwargs.pop("editor"), kwargs.pop("rating")
        order = services.order_place(**kwargs)
        if status == OrderStatus.CANCELLED:
            return services.order_cancel(order=order, actor=order.client, reason="Changed my mind.")
        target = _PATH.index(OrderStatus.DELIVERED) if status not in _PATH else _PATH.index(status)
        if target >= 1:
            order = pay_from_wallet(order)
        if target >= 2:
            writer = writer or UserFactory(roles=["writer"])
            order = services.order_assign(order=order, writer=writer, actor=site_admin())
        if target >= 3:
            order = services.order_start(order=order, actor=writer)
        if target >= 4:
            order = services.order_submit(order=order, actor=writer)
        if target >= 5:
            editor = editor or UserFactory(roles=["editor"])
            order = services.order_deliver(order=order, actor=editor)
        if status == OrderStatus.REVISION_REQUESTED:
            order = services.order_request_revision(order=order, actor=order.client, instructions="More sources.")
        elif status == OrderStatus.DISPUTED:
            order = services.order_dispute(order=order, actor=order.client, reason="Not what I asked for.")
        elif status == OrderStatus.COMPLETED:
            order = services.order_approve(order=order, actor=order.client, rating=rating)
        return Order.objects.get(pk=order.pk)


class OrderRefundFactory(ServiceFactory[OrderRefund]):
    """A refund of ``amount`` of ``order`` (default: a new disputed order) to its client's wallet,
    decided by the site's admin (``services.order_refund``)."""

    class Meta:
        model = OrderRefund

    order = factory.SubFactory(OrderFactory, status=OrderStatus.DISPUTED)
    amount = Decimal("5.00")
    reason = "Partly not what was ordered."

    @classmethod
    def _create(cls, model_class: type[OrderRefund], *args: Any, **kwargs: Any) -> OrderRefund:
        return services.order_refund(actor=site_admin(), **kwargs)
