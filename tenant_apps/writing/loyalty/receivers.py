"""Reactions to the orders' signals: points earned on a completed order, taken back on a refund."""

from __future__ import annotations

from typing import Any


def on_order_completed(sender: Any, *, order: Any, actor: Any = None, **kwargs: Any) -> None:
    """``orders.signals.order_completed``: the client earns the order's points, inside the
    completion's transaction (``services.points_earn_for_order``)."""
    from tenant_apps.writing.loyalty.services import points_earn_for_order

    points_earn_for_order(order=order, actor=actor)


def on_order_refunded(sender: Any, *, order: Any, refund: Any, actor: Any = None, **kwargs: Any) -> None:
    """``orders.signals.order_refunded``: take back the refunded share of the order's points,
    inside the refund's transaction (``services.points_take_back_for_refund``)."""
    from tenant_apps.writing.loyalty.services import points_take_back_for_refund

    points_take_back_for_refund(order=order, refund=refund, actor=actor)
