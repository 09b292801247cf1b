"""Row locks of the writing special orders app (see ``docs/architecture.md``, "Locks in one order").

* Everything that changes an existing special order locks the **invoices** of its installments
  first (by primary key; ``payments.locks.invoice_lock``), then the **special order**
  (``special_order_lock``): the card payment's webhook holds an installment's invoice when
  ``invoice_paid`` reaches ``receivers.on_invoice_paid``, which then locks the order, so paying,
  accepting, cancelling, starting and completing one special order queue up without deadlock.
* Accepting creates the invoices (the payments app's invoice counter) under the order's lock.
  Cancelling an order accepted while it waited locks the new invoices after the order (they did
  not exist when it locked the others); nobody else holds them yet: paying one needs the order's
  lock, which the cancel holds.
* Paying from the wallet locks the client's wallet last (inside the wallet service).
"""

from __future__ import annotations

from tenant_apps.payments.locks import invoice_lock
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder


def special_order_lock(pk: int) -> SpecialOrder:
    """The special order row, locked until the transaction ends (call inside
    ``transaction.atomic``, after its invoices' locks), with its client and writer;
    ``SpecialOrder.DoesNotExist`` when missing."""
    return (
        SpecialOrder.objects.select_for_update(no_key=True, of=("self",)).select_related("client", "writer").get(pk=pk)
    )


def special_order_with_invoices_lock(pk: int) -> SpecialOrder:
    """Lock the invoices of special order ``pk``'s installments (by primary key), then the order
    (the order of ``locks.py``); the locked order. Call inside ``transaction.atomic``."""
    invoice_ids = (
        Installment.objects.filter(special_order_id=pk, invoice__isnull=False)
        .order_by("invoice_id")
        .values_list("invoice_id", flat=True)
    )
    for invoice_id in invoice_ids:
        invoice_lock(invoice_id)
    return special_order_lock(pk)
