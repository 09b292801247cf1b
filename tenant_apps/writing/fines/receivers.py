"""Reactions to the orders app's signals (``orders/signals.py``), inside each move's transaction
with the order locked: the rules record the writer's work and fine lateness; a completion
collects the writer's fines from the earning just credited, a cancellation the fines it closed."""

from __future__ import annotations

from typing import Any

from tenant_apps.writing.orders.models import Order


def on_order_submitted(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``order_submitted``: record the writer's submission; fine a revision submitted late
    (``services.work_submitted``)."""
    from tenant_apps.writing.fines.services import work_submitted

    work_submitted(order=order)


def on_order_revision_requested(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``order_revision_requested``: start the revision round's clock (``services.revision_requested``)."""
    from tenant_apps.writing.fines.services import revision_requested

    revision_requested(order=order)


def on_order_delivered(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``order_delivered``: fine a late first delivery by the writer's submission time
    (``services.fine_for_lateness``)."""
    from tenant_apps.writing.fines.services import fine_for_lateness

    fine_for_lateness(order=order)


def on_order_completed(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``order_completed``: the writer's earning was credited; deduct their collectable fines
    (this order's among them) from the balance (``services.fines_collect``)."""
    from tenant_apps.writing.fines.services import fines_collect

    if order.writer is not None:
        fines_collect(writer=order.writer)


def on_order_cancelled(sender: Any, *, order: Order, **kwargs: Any) -> None:
    """``order_cancelled``: the order's fines became collectable (a closed order); deduct what the
    writer's balance allows now rather than at their next completion (``services.fines_collect``)."""
    from tenant_apps.writing.fines.services import fines_collect

    if order.writer is not None:
        fines_collect(writer=order.writer)
