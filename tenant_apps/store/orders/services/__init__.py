"""Writes on carts, orders, deliveries and settlements, in the current store schema.

Who may call what: ``access.py`` (the views check roles; services that act for a user check
again). Locks, always in this order (``locks.py``): the acting user's row (checkout, claims), the
order, its proof, the products (primary-key order), the wallets (primary-key order), the sellers'
points accounts. Every function is atomic and calls ``audit_record`` for each state change inside
its transaction; notifications are sent with it (``notify``, published after commit).

* ``profile``: the delivery location (``profile_update``).
* ``cart``: ``cart_item_add`` (adds to an existing line), ``cart_item_update``, ``cart_item_remove``.
* ``checkout``: ``order_checkout``; ``order_create_from_hold`` for an order paid by money already
  held (auctions).
* ``delivery``: ``order_cancel``, ``order_claim``, ``order_ship``, ``order_confirm_delivery``.
* ``settlement``: ``order_complete``, ``orders_complete_due``.
* ``top_ups``: ``wallet_top_up_card_start``, ``wallet_top_up_credit``.
"""

from tenant_apps.store.orders.services.cart import (
    MAX_LINE_QUANTITY,
    cart_item_add,
    cart_item_remove,
    cart_item_update,
    product_on_sale,
)
from tenant_apps.store.orders.services.checkout import NewItem, order_checkout, order_create_from_hold
from tenant_apps.store.orders.services.delivery import (
    order_cancel,
    order_claim,
    order_confirm_delivery,
    order_ship,
)
from tenant_apps.store.orders.services.profile import profile_update
from tenant_apps.store.orders.services.settlement import (
    completion_due_at,
    order_complete,
    orders_complete_due,
    seller_amounts,
)
from tenant_apps.store.orders.services.top_ups import TopUpCheckout, wallet_top_up_card_start, wallet_top_up_credit

__all__ = [
    "MAX_LINE_QUANTITY",
    "NewItem",
    "TopUpCheckout",
    "cart_item_add",
    "cart_item_remove",
    "cart_item_update",
    "completion_due_at",
    "order_cancel",
    "order_checkout",
    "order_claim",
    "order_complete",
    "order_confirm_delivery",
    "order_create_from_hold",
    "order_ship",
    "orders_complete_due",
    "product_on_sale",
    "profile_update",
    "seller_amounts",
    "wallet_top_up_card_start",
    "wallet_top_up_credit",
]
