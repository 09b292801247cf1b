"""Row locks of the writing orders app (see ``docs/architecture.md``, "Locks in one order").

* Placing an order creates its invoice (the invoice counter); nothing else is locked.
* Everything that changes an existing order locks its **invoice first** (``payments.locks.
  invoice_lock``), then the **order** (``order_lock``): the card payment's webhook holds the invoice
  when ``invoice_paid`` reaches the orders receiver, so paying, cancelling and the other moves of
  one order queue up on the invoice and never wait for each other the other way round.
* Paying from the wallet, completing (approval or a dispute resolved ``completed``: the writer's
  earning) and refunding (the client's wallet) lock wallets last (inside the wallet services).
  A refund checks "the order's refunds never exceed what was paid" under the order's lock.
* The settings row (``settings_lock``) is taken alone.
"""

from __future__ import annotations

from tenant_apps.payments.locks import invoice_lock
from tenant_apps.writing.orders.models import Order, OrderSettings


def order_lock(pk: int) -> Order:
    """The order row, locked until the transaction ends (call inside ``transaction.atomic``, after
    its invoice's ``invoice_lock``), with its client, writer and editor; ``Order.DoesNotExist``
    when missing."""
    return (
        Order.objects.select_for_update(no_key=True, of=("self",))
        .select_related("client", "writer", "editor")
        .get(pk=pk)
    )


def order_with_invoice_lock(pk: int) -> Order:
    """Lock order ``pk``'s invoice, then the order (the order of ``locks.py``); the locked order.
    Call inside ``transaction.atomic``."""
    invoice_id = Order.objects.filter(pk=pk).values_list("invoice_id", flat=True).first()
    if invoice_id is not None:
        invoice_lock(invoice_id)
    return order_lock(pk)


def settings_lock() -> OrderSettings:
    """The settings row (``pk=1``), locked until the transaction ends; ``services`` creates it first."""
    return OrderSettings.objects.select_for_update(no_key=True).get(pk=1)
