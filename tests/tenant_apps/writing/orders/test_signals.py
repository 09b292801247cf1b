"""The orders signals other writing apps build on (loyalty, referrals, fines): each is sent once,
with the order as saved by the move, inside its transaction, so a receiver that raises undoes it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from tenant_apps.writing.orders.models import Order, OrderStatus
from tenant_apps.writing.orders.services import order_approve, order_deliver, order_refund
from tenant_apps.writing.orders.signals import order_completed, order_delivered, order_refunded
from tests.tenant_apps.writing.conftest import Writing, reload
from tests.tenant_apps.writing.orders.conftest import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []

    def hear(name: str) -> Any:
        return lambda sender, **kwargs: calls.append((name, kwargs))

    receivers = {name: hear(name) for name in ("completed", "delivered", "refunded")}
    order_completed.connect(receivers["completed"], weak=False)
    order_delivered.connect(receivers["delivered"], weak=False)
    order_refunded.connect(receivers["refunded"], weak=False)
    yield calls
    order_completed.disconnect(receivers["completed"])
    order_delivered.disconnect(receivers["delivered"])
    order_refunded.disconnect(receivers["refunded"])


def test_delivery_then_approval_send_one_signal_each(writing: Writing, heard: list[tuple[str, Any]]) -> None:
    order = make_order(writing, "in_review")
    heard.clear()  # the factory walks the order through the services
    with tenant_context(writing.tenant):
        order_deliver(order=order, actor=writing.eddie)
        order_approve(order=order, actor=writing.cleo, rating=5)
    assert [name for name, _ in heard] == ["delivered", "completed"]
    delivered, completed = heard[0][1], heard[1][1]
    assert delivered["order"].status == OrderStatus.DELIVERED and delivered["actor"] == writing.eddie
    assert completed["order"].status == OrderStatus.COMPLETED
    assert completed["earning"] == reload(writing, order).earning > Decimal("0")


def test_refund_sends_the_refund(writing: Writing, heard: list[tuple[str, Any]]) -> None:
    order = make_order(writing, "disputed")
    heard.clear()
    with tenant_context(writing.tenant):
        refund = order_refund(order=order, actor=writing.admin, amount="1.00", reason="Late.")
    assert [(name, kwargs["refund"]) for name, kwargs in heard] == [("refunded", refund)]


def test_a_receiver_that_raises_undoes_the_move(writing: Writing) -> None:
    order = make_order(writing, "in_review")

    def refuse(sender: type[Order], **kwargs: Any) -> None:
        raise ApplicationError("Refused by a receiver.")

    order_delivered.connect(refuse, weak=False)
    try:
        with tenant_context(writing.tenant), pytest.raises(ApplicationError):
            order_deliver(order=order, actor=writing.eddie)
    finally:
        order_delivered.disconnect(refuse)
    assert reload(writing, order).status == OrderStatus.IN_REVIEW
