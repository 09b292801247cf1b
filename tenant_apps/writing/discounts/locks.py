"""Row locks of the writing discounts app (see ``docs/architecture.md``, "Locks in one order").

* Placing an order that takes a discount locks the **discount** first (``discount_lock``), then
  (when points are redeemed too) the client's loyalty account (``loyalty.locks.account_lock``),
  then prices the order again under them and records the use: the usage limits (in total and per
  client) are checked and counted under the discount's lock, so two checkouts racing for a
  one-use code queue up and the second sees the first's use (409 ``discount_limit_reached``).
* Cancelling an unpaid order gives its use back under the order's lock (invoice, then order),
  then the discount's.
* An admin's edit of a discount changes that row alone (no lock: the last edit wins).
"""

from __future__ import annotations

from tenant_apps.writing.discounts.models import Discount


def discount_lock(pk: int) -> Discount:
    """The discount row, locked until the transaction ends (call inside ``transaction.atomic``,
    before any loyalty account); ``Discount.DoesNotExist`` when missing."""
    return Discount.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)
