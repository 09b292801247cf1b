"""Row locks of the orders app (the platform-wide order is in docs/architecture.md, "Locks in one
order"). A transaction that needs several takes them in this order:

1. the delivery user's row (``accounts.locks.user_lock``: a claim counts the courier's active
   orders under it, so two claims by one courier cannot both pass the limit);
2. the **order** row (``order_lock``), then its proof of delivery (``proof_lock``);
3. the **products**, in primary-key order (``catalog.locks.products_lock``: checkout, cancellation);
4. the **wallets**, in primary-key order (``wallet.locks.wallets_lock``: the hold, its release, the
   settlement's captures, all wallets of a settlement locked at once before the first movement);
5. the sellers' points accounts, in seller order (``shop.locks.seller_account_lock``).

Checkout has no order row to lock yet: it starts at the products. The returns app refunds under
``order_lock`` too, so a settlement and a refund of one order run one after the other.
"""

from __future__ import annotations

from tenant_apps.store.orders.models import DeliveryProof, Order


def order_lock(pk: int) -> Order:
    """The order row, locked until the transaction ends (call inside ``transaction.atomic``);
    ``Order.DoesNotExist`` when missing. Every change of an order's status, items' returned
    quantities or escrow takes it first."""
    return Order.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)


def proof_lock(order_id: int) -> DeliveryProof:
    """The order's proof of delivery, locked until the transaction ends (after ``order_lock``);
    ``DeliveryProof.DoesNotExist`` before the order shipped."""
    return DeliveryProof.objects.select_for_update(no_key=True).get(order_id=order_id)
