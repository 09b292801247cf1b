"""Row locks of the writing bundles app (see ``docs/architecture.md``, "Locks in one order").

* Buying creates the purchase with its invoice (the invoice counter); paying it from the wallet
  locks the invoice, then the wallet; ``invoice_paid`` reaches ``purchase_activate`` with the
  **invoice** locked, which then locks the **purchase** (``purchase_lock``).
* Drawing an order from a purchase locks the **order's invoice, then the order**
  (``orders.locks.order_with_invoice_lock``), then the **purchase** (``purchase_lock``): two orders
  drawing from one purchase at once queue up on it, and the second sees what the first left.
  Giving units back (the order cancelled) runs in the cancellation's transaction, the order's
  invoice and the order locked already, and locks the purchase the same way.
* Expiring a purchase (the beat task) locks the purchase alone.

No transaction holding a purchase goes on to lock an invoice or an order, so these cannot wait for
each other in a cycle.
"""

from __future__ import annotations

from tenant_apps.writing.bundles.models import BundlePurchase


def purchase_lock(pk: int) -> BundlePurchase:
    """The bundle purchase row, locked until the transaction ends (call inside
    ``transaction.atomic``, after any invoice and order lock), with its client;
    ``BundlePurchase.DoesNotExist`` when missing."""
    return BundlePurchase.objects.select_for_update(no_key=True, of=("self",)).select_related("client").get(pk=pk)
