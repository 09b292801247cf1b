"""Row locks of the returns app (the platform-wide order is in docs/architecture.md, "Locks in one
order"). Every write on a return takes, in this order:

1. the **order** row (``orders.locks.order_lock``): a request counts the units already in returns
   of the order under it, an approval moves the order's escrow or its sellers' money under it, so
   requests, decisions and the order's settlement run one after another;
2. the **return** row (``return_lock``);
3. the **products** to restock, in primary-key order (``catalog.locks.products_lock``);
4. the **wallets**, in primary-key order (``wallet.locks.wallets_lock``, all of an approval at once);
5. the sellers' points accounts, in seller order (``shop.services.seller_points_change`` locks each).
"""

from __future__ import annotations

from tenant_apps.store.returns.models import ReturnRequest


def return_lock(pk: int) -> ReturnRequest:
    """The return row, locked until the transaction ends (call inside ``transaction.atomic``, after
    its order's ``order_lock``); ``ReturnRequest.DoesNotExist`` when missing."""
    return ReturnRequest.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)
