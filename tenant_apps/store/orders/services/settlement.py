"""Completion: ``completion_wait_days`` after delivery, the escrow is settled once.

Each seller is paid ``sum((quantity - returned_quantity) x unit_price)`` of their items less the
site's ``commission_percent`` (rounded half up to the currency's unit, per seller) by
``escrow_capture`` from the buyer's held money (reference ``order:<id>:seller:<seller id>``); the
commissions stay with the site (``escrow_capture_to_site``, reference ``order:<id>:commission``).
Units refunded by returns (``OrderItem.returned_quantity``: the returns app released that part of
the hold to the buyer, under the order's lock) are not captured again. Each seller earns
``points_per_order`` (``shop.services.seller_points_change``, reference ``order:<id>:<seller id>``).

Idempotent: a completed order is returned as it is; every movement has its reference.
Locks: the order, then every wallet of the settlement at once (primary-key order), then the sellers'
points accounts in seller order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, PermissionDenied
from saas.money import round_money
from tenant_apps.audit.services import audit_record
from tenant_apps.store.orders.access import can_see_all_orders
from tenant_apps.store.orders.locks import order_lock
from tenant_apps.store.orders.models import Order, OrderStatus
from tenant_apps.store.orders.services._common import has_open_return, logger, notify_order, order_facts
from tenant_apps.store.shop.models import PointsEntryKind
from tenant_apps.store.shop.services import seller_points_change, store_settings
from tenant_apps.wallet.locks import wallets_lock
from tenant_apps.wallet.services import escrow_capture, escrow_capture_to_site, wallet_open

HUNDRED = Decimal("100")


def completion_due_at(order: Order, *, wait_days: int | None = None) -> datetime | None:
    """When ``order`` may complete: ``delivered_at`` + ``completion_wait_days`` (UTC), or ``None``
    before delivery."""
    if order.delivered_at is None:
        return None
    days = store_settings().completion_wait_days if wait_days is None else wait_days
    return order.delivered_at + timedelta(days=days)


def seller_amounts(order: Order, *, commission_percent: Decimal) -> dict[int, tuple[Decimal, Decimal]]:
    """``{seller id: (gross, commission)}`` of ``order``'s items not returned; the seller is paid
    ``gross - commission``. ``commission`` is ``gross x commission_percent / 100`` rounded half up."""
    gross: dict[int, Decimal] = {}
    for item in order.items.all():
        kept = item.quantity - item.returned_quantity
        if kept > 0:
            gross[item.seller_id] = gross.get(item.seller_id, Decimal("0")) + item.unit_price * kept
    return {
        seller: (
            round_money(amount, order.currency),
            round_money(amount * commission_percent / HUNDRED, order.currency),
        )
        for seller, amount in sorted(gross.items())
    }


def order_complete(*, order_id: int, actor: Any = None, now: datetime | None = None) -> Order:
    """Complete a ``delivered`` order whose wait has passed and settle its escrow (module docs).

    ``actor``: the buyer or an admin asking through the API, ``None`` for the periodic task.
    A ``completed`` order is returned unchanged (idempotent). Notifies the buyer
    (``order.completed``) and each seller paid (``order.seller_payment``, with ``amount``).

    Raises ``permission_denied`` (403: neither the buyer nor admin), ``invalid_status_transition``
    (409: not delivered), ``completion_not_due`` (409; ``details.due_at``), ``return_pending`` (409:
    a return awaits a decision).
    """
    with transaction.atomic():
        order = order_lock(order_id)
        # read after the lock: a completion queued behind the delivery it waits for sees its time
        moment = now or timezone.now()
        if actor is not None and actor.pk != order.buyer_id and not can_see_all_orders(actor):
            raise PermissionDenied("Only the buyer may complete this order.")
        if order.status == OrderStatus.COMPLETED:
            return order
        if order.status != OrderStatus.DELIVERED:
            raise Conflict(
                f"An order that is {order.status} cannot be completed.",
                code=ErrorCode.INVALID_STATUS_TRANSITION,
                details={"status": order.status},
            )
        settings_row = store_settings()
        due_at = completion_due_at(order, wait_days=settings_row.completion_wait_days)
        if due_at is None or moment < due_at:
            raise Conflict(
                "This order completes later.",
                code=ErrorCode.COMPLETION_NOT_DUE,
                details={"due_at": due_at.isoformat() if due_at else None},
            )
        if has_open_return(order):
            raise Conflict("A return of this order waits for a decision.", code=ErrorCode.RETURN_PENDING)
        amounts = seller_amounts(order, commission_percent=settings_row.commission_percent)
        buyer_wallet = wallet_open(user=order.buyer)
        sellers = get_user_model().objects.in_bulk(list(amounts))
        seller_wallets = {seller: wallet_open(user=sellers[seller]) for seller in amounts}
        wallets_lock(wallet_ids=[buyer_wallet.pk, *(wallet.pk for wallet in seller_wallets.values())])
        commission_total = Decimal("0")
        paid: dict[int, Decimal] = {}
        for seller, (gross, commission) in amounts.items():
            net = gross - commission
            commission_total += commission
            if net > 0:
                escrow_capture(
                    payer=buyer_wallet,
                    payee=seller_wallets[seller],
                    amount=net,
                    actor=actor,
                    reference=f"order:{order.pk}:seller:{seller}",
                    memo=order.number,
                )
                paid[seller] = net
        if commission_total > 0:
            escrow_capture_to_site(
                wallet=buyer_wallet,
                amount=commission_total,
                actor=actor,
                reference=f"order:{order.pk}:commission",
                memo=f"Commission of {order.number}",
            )
        if settings_row.points_per_order > 0:
            for seller in amounts:
                seller_points_change(
                    seller=sellers[seller],
                    delta=settings_row.points_per_order,
                    kind=PointsEntryKind.ORDER_COMPLETED,
                    reference=f"order:{order.pk}:{seller}",
                    memo=order.number,
                )
        order.status, order.completed_at = OrderStatus.COMPLETED, moment
        order.save(update_fields=["status", "completed_at", "updated_at"])
        audit_record(
            actor=actor,
            verb="order.completed",
            target=order,
            changes={
                **order_facts(order),
                "paid": {str(seller): str(amount) for seller, amount in paid.items()},
                "commission": str(commission_total),
            },
        )
        notify_order(order, recipient=order.buyer, verb="order.completed")
        for seller, amount in paid.items():
            notify_order(
                order,
                recipient=sellers[seller],
                verb="order.seller_payment",
                amount=str(amount),
                currency=order.currency,
            )
    return order


def orders_complete_due(*, now: datetime | None = None) -> list[int]:
    """Complete every delivered order whose wait has passed and that has no open return (the
    periodic task's work in one site); returns the ids completed. One order's refusal is logged
    and does not stop the others (each runs in its own transaction)."""
    from tenant_apps.store.orders.selectors import orders_due_for_completion
    from tenant_apps.store.orders.services._common import OPEN_RETURN_STATUSES

    moment = now or timezone.now()
    due = orders_due_for_completion(now=moment, wait_days=store_settings().completion_wait_days).exclude(
        returns__status__in=OPEN_RETURN_STATUSES
    )
    done = []
    for order_id in list(due.values_list("pk", flat=True)):
        try:
            order_complete(order_id=order_id, now=moment)
        except ApplicationError as exc:
            logger.warning("order %s not completed: %s (%s)", order_id, exc.message, exc.code)
            continue
        done.append(order_id)
    return done
