"""An order's way to its buyer: cancellation before shipping, claims by delivery users, shipping
with a proof of delivery, and the courier's confirmation of the buyer's PIN."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from saas.errors import ApplicationError, Conflict, ErrorCode, NotFound, PermissionDenied
from tenant_apps.accounts.locks import user_lock
from tenant_apps.audit.services import audit_record
from tenant_apps.store.catalog.locks import products_lock
from tenant_apps.store.orders.access import can_deliver
from tenant_apps.store.orders.locks import order_lock, proof_lock
from tenant_apps.store.orders.models import (
    ACTIVE_DELIVERY_STATUSES,
    MAX_ACTIVE_DELIVERIES,
    MAX_PROOF_ATTEMPTS,
    DeliveryProof,
    Order,
    OrderSource,
    OrderStatus,
)
from tenant_apps.store.orders.services._common import notify_order, order_facts
from tenant_apps.wallet.services import escrow_release, wallet_open

#: Digits of a proof-of-delivery PIN.
PIN_DIGITS = 6


def _transition_refused(order: Order, wanted: str) -> Conflict:
    return Conflict(
        f"An order that is {order.status} cannot be {wanted}.",
        code=ErrorCode.INVALID_STATUS_TRANSITION,
        details={"status": order.status},
    )


def order_cancel(*, order_id: int, actor: Any) -> Order:
    """The buyer cancels their order before it ships (``created`` or ``processing``): the units
    go back to stock (products locked in primary-key order; cart orders only: an auction's stock
    is the auctions app's), the hold is released to the buyer (reference ``order:<id>:release``),
    the order is ``cancelled``; its courier, if any, is told.

    Raises ``permission_denied`` (403: not the buyer), ``invalid_status_transition`` (409:
    shipped or later, or already cancelled).
    """
    with transaction.atomic():
        order = order_lock(order_id)
        if actor.pk != order.buyer_id:
            raise PermissionDenied("Only the buyer may cancel an order.")
        if order.status not in (OrderStatus.CREATED, OrderStatus.PROCESSING):
            raise _transition_refused(order, "cancelled")
        items = list(order.items.all())
        if order.source == OrderSource.CART:
            products = products_lock(item.product_id for item in items if item.product_id)
            for item in items:
                product = products.get(item.product_id) if item.product_id else None
                if product is not None:
                    product.stock += item.quantity
                    product.save(update_fields=["stock", "updated_at"])
        escrow_release(
            wallet=wallet_open(user=order.buyer),
            amount=order.total,
            actor=actor,
            reference=f"order:{order.pk}:release",
            memo=order.number,
        )
        order.status, order.cancelled_at = OrderStatus.CANCELLED, timezone.now()
        order.save(update_fields=["status", "cancelled_at", "updated_at"])
        audit_record(actor=actor, verb="order.cancelled", target=order, changes=order_facts(order))
        notify_order(order, recipient=order.buyer, verb="order.cancelled")
        if order.delivery_user_id:
            notify_order(order, recipient=order.delivery_user, verb="order.cancelled")
    return order


def _active_deliveries(courier_id: int) -> int:
    """How many orders ``courier_id`` holds and has not delivered (``ACTIVE_DELIVERY_STATUSES``)."""
    return Order.objects.filter(delivery_user_id=courier_id, status__in=ACTIVE_DELIVERY_STATUSES).count()


def order_claim(*, order_id: int, courier: Any) -> Order:
    """A delivery user takes a ``created`` order: it becomes ``processing``, held by them.

    Under the courier's user row lock (then the order's), the courier's active orders are counted,
    so two claims by one courier cannot both pass ``MAX_ACTIVE_DELIVERIES``; under the order's
    lock, two couriers cannot both take one order.

    Raises ``permission_denied`` (403: not a delivery user), ``invalid_status_transition`` (409:
    claimed already, or not ``created``), ``delivery_limit_reached`` (409; ``details``: ``limit``).
    """
    if not can_deliver(courier):
        raise PermissionDenied("Only delivery users claim orders.")
    with transaction.atomic():
        user_lock(courier.pk)
        order = order_lock(order_id)
        if order.status != OrderStatus.CREATED or order.delivery_user_id is not None:
            raise _transition_refused(order, "claimed")
        if _active_deliveries(courier.pk) >= MAX_ACTIVE_DELIVERIES:
            raise Conflict(
                f"You hold {MAX_ACTIVE_DELIVERIES} orders already: deliver one first.",
                code=ErrorCode.DELIVERY_LIMIT_REACHED,
                details={"limit": MAX_ACTIVE_DELIVERIES},
            )
        order.delivery_user, order.status, order.claimed_at = courier, OrderStatus.PROCESSING, timezone.now()
        order.save(update_fields=["delivery_user", "status", "claimed_at", "updated_at"])
        audit_record(actor=courier, verb="order.claimed", target=order, changes=order_facts(order))
        notify_order(order, recipient=order.buyer, verb="order.processing")
    return order


def _held_by(order: Order, courier: Any) -> None:
    if order.delivery_user_id != courier.pk:
        raise NotFound("No such order.")


def new_pin() -> str:
    """A random ``PIN_DIGITS``-digit PIN (``secrets``), leading zeros kept."""
    return f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"


def order_ship(*, order_id: int, courier: Any) -> Order:
    """The courier holding a ``processing`` order ships it: ``shipped``, with a new
    ``DeliveryProof`` (a random PIN) the buyer is sent (notification ``order.shipped``) and gives
    the courier on delivery.

    Raises ``not_found`` (404: not held by ``courier``), ``invalid_status_transition`` (409).
    """
    with transaction.atomic():
        order = order_lock(order_id)
        _held_by(order, courier)
        if order.status != OrderStatus.PROCESSING:
            raise _transition_refused(order, "shipped")
        proof = DeliveryProof.objects.create(order=order, pin=new_pin())
        order.status, order.shipped_at = OrderStatus.SHIPPED, timezone.now()
        order.save(update_fields=["status", "shipped_at", "updated_at"])
        audit_record(actor=courier, verb="order.shipped", target=order, changes=order_facts(order))
        notify_order(order, recipient=order.buyer, verb="order.shipped", pin=proof.pin)
    return order


def order_confirm_delivery(*, order_id: int, courier: Any, token: str) -> Order:
    """The courier holding a ``shipped`` order confirms the buyer's PIN (``token``, compared in
    constant time): the order is ``delivered`` (``delivered_at`` now) with the proof recorded.

    A wrong PIN is counted (committed, even though the call raises); after
    ``MAX_PROOF_ATTEMPTS`` wrong ones the proof is locked (support must step in).

    Raises ``not_found`` (404: not held by ``courier``), ``invalid_status_transition`` (409: not
    shipped), ``proof_invalid`` (400; ``details.attempts_left``), ``proof_locked`` (409).
    """
    failure: ApplicationError | None = None
    with transaction.atomic():
        order = order_lock(order_id)
        _held_by(order, courier)
        if order.status != OrderStatus.SHIPPED:
            raise _transition_refused(order, "delivered")
        proof = proof_lock(order.pk)
        if proof.failed_attempts >= MAX_PROOF_ATTEMPTS:
            raise Conflict(
                "Too many wrong PINs: this proof is locked. Ask support.",
                code=ErrorCode.PROOF_LOCKED,
                details={"max_attempts": MAX_PROOF_ATTEMPTS},
            )
        if not hmac.compare_digest(str(token).strip().encode(), proof.pin.encode()):
            proof.failed_attempts += 1
            proof.save(update_fields=["failed_attempts"])
            audit_record(
                actor=courier,
                verb="order.proof_refused",
                target=order,
                changes={"failed_attempts": proof.failed_attempts},
            )
            failure = ApplicationError(
                "That is not this order's PIN.",
                code=ErrorCode.PROOF_INVALID,
                details={"attempts_left": MAX_PROOF_ATTEMPTS - proof.failed_attempts},
            )
        else:
            now = timezone.now()
            proof.confirmed_at, proof.confirmed_by = now, courier
            proof.save(update_fields=["confirmed_at", "confirmed_by"])
            order.status, order.delivered_at = OrderStatus.DELIVERED, now
            order.save(update_fields=["status", "delivered_at", "updated_at"])
            audit_record(actor=courier, verb="order.delivered", target=order, changes=order_facts(order))
            notify_order(order, recipient=order.buyer, verb="order.delivered")
    if failure is not None:
        raise failure  # after the block, so the counted attempt is committed
    return order
