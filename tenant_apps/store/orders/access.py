"""Who may see and do what with carts and orders (store roles, ``tenant_apps/store/kind.py``).

| action | who |
| --- | --- |
| read and change one's delivery location (profile) | every signed-in user (their own) |
| keep a cart, check out, top up the wallet by card | customers |
| see an order | its buyer; a seller of one of its items (only their items); the delivery user holding it; admin |
| cancel an order (before shipping) | its buyer |
| complete an order (after the wait) | its buyer; admin |
| see orders waiting for a courier, claim one, ship it | delivery users |
| read the proof of delivery (PIN, QR code) | the order's buyer |
| confirm the proof (the PIN the buyer gives) | the delivery user holding the order |
| see the buyer's delivery location | the buyer, admin, the delivery user holding the order |

Reads start from ``orders_visible_to``; one order is fetched by ``access_order`` (checked against
it), which raises ``NotFound`` (404 ``not_found``) alike for a missing and a hidden order. A
delivery user sees an unclaimed order only through the "available" list (``available_orders``),
without the buyer's location.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.errors import NotFound, PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.kinds import ADMIN
from tenant_apps.store.kind import CUSTOMER, DELIVERY, SELLER
from tenant_apps.store.orders.models import DeliveryProof, Order, OrderItem, OrderStatus

#: Keep a cart, check out, top up by card.
BUYER_ROLES: tuple[str, ...] = (CUSTOMER,)
#: Claim, ship and deliver orders.
DELIVERY_ROLES: tuple[str, ...] = (DELIVERY,)
#: Sell products (see orders containing their items).
SELLER_ROLES: tuple[str, ...] = (SELLER,)
#: See every order; complete one for its buyer.
ORDER_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, *roles))


def can_buy(user: Any) -> bool:
    """Whether ``user`` may keep a cart and check out (customers)."""
    return _has(user, BUYER_ROLES)


def can_deliver(user: Any) -> bool:
    """Whether ``user`` may claim and deliver orders (delivery users)."""
    return _has(user, DELIVERY_ROLES)


def can_see_all_orders(user: Any) -> bool:
    """Whether ``user`` sees every order of the site (admin)."""
    return _has(user, ORDER_ADMIN_ROLES)


def sees_whole_order(user: Any, order: Order) -> bool:
    """Whether ``user`` sees all of ``order`` (every item, the buyer's location): its buyer, the
    delivery user holding it, admin. A seller who is none of these sees only their own items."""
    if user is None or not user.is_authenticated:
        return False
    return user.pk in (order.buyer_id, order.delivery_user_id) or can_see_all_orders(user)


def can_link_ticket(user: Any, order: Order) -> bool:
    """Ticket-target rule: ``user`` may open a ticket about ``order`` if it is theirs (buyer), they
    sell an item of it, or they hold its delivery."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk in (order.buyer_id, order.delivery_user_id):
        return True
    return order.items.filter(seller_id=user.pk).exists()


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """Orders ``user`` may see: admin all; anyone else those they bought, those with an item they
    sell, and those they hold as delivery user (one queryset, no duplicates)."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    if can_see_all_orders(user):
        return Order.objects.all()
    selling = OrderItem.objects.filter(seller_id=user.pk).values("order_id")
    return Order.objects.filter(Q(buyer_id=user.pk) | Q(delivery_user_id=user.pk) | Q(pk__in=selling))


def available_orders(user: Any) -> QuerySet[Order]:
    """Orders waiting for a courier (``created``, unclaimed), for delivery users; none for others."""
    if not can_deliver(user):
        return Order.objects.none()
    return Order.objects.filter(status=OrderStatus.CREATED, delivery_user__isnull=True)


def access_order(*, user: Any, pk: Any) -> Order:
    """The order ``pk`` if ``user`` may see it (``orders_visible_to``), with its items and people.

    Raises ``NotFound`` (404 ``not_found``) for an unknown and a hidden order alike. No ``lock``:
    services lock the order themselves (``locks.order_lock``) and check again under it.
    """
    from tenant_apps.store.orders import selectors  # the order's shape; selectors import this module

    order = selectors.with_details(orders_visible_to(user)).filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def access_available_order(*, user: Any, pk: Any) -> Order:
    """An order ``user`` (a delivery user) may claim or holds; ``NotFound`` (404) otherwise."""
    if not can_deliver(user):
        raise NotFound("No such order.")
    scope = available_orders(user) | Order.objects.filter(delivery_user_id=user.pk)
    order = scope.filter(pk=pk).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def access_proof(*, user: Any, order: Order) -> DeliveryProof:
    """The proof of delivery of ``order`` (fetched by ``access_order``) for its buyer or admin.

    Raises ``PermissionDenied`` (403) for anyone else who sees the order (a seller, the courier:
    the PIN is what the buyer hands over), ``NotFound`` (404) before the order ships.
    """
    if user.pk != order.buyer_id and not can_see_all_orders(user):
        raise PermissionDenied("Only the buyer sees the proof of delivery.")
    proof = DeliveryProof.objects.filter(order_id=order.pk).first()
    if proof is None:
        raise NotFound("This order has not shipped yet.")
    return proof
