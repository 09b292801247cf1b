"""Who may see and do what with carts and orders (store roles, ``tenant_apps/store/kind.py``)."""

from __future__ import annotations

from typing import Any

from tenant_apps.store.orders.models import Order


def can_link_ticket(user: Any, order: Order) -> bool:
    """Ticket-target rule: ``user`` may open a ticket about ``order`` if it is theirs (buyer), they
    sell an item of it, or they hold its delivery."""
    if user is None or not user.is_authenticated:
        return False
    if user.pk in (order.buyer_id, order.delivery_user_id):
        return True
    return order.items.filter(seller_id=user.pk).exists()
