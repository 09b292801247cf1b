"""Signals of the orders app, for the writing apps that react to an order's life (loyalty points,
referral rewards, writers' fines) without the orders services knowing them.

Each is sent *inside* the transaction of the move, with the order locked
(``locks.order_with_invoice_lock``), after the order row is saved: a receiver's writes commit or
roll back with the move, and a receiver that raises undoes it (so receivers raise only for a rule
the move must obey). Receivers lock what they write after the order (the kind's lock order,
``docs/architecture.md``). ``sender`` is ``Order``.

* ``order_completed(order, earning, actor)``: the order became ``completed`` (approved by its
  client, or a dispute resolved ``completed``); ``earning`` (``Decimal``, the order's currency) was
  credited to the writer's wallet just before.
* ``order_delivered(order, actor)``: the order became ``delivered`` (``order.delivered_at`` set).
* ``order_refunded(order, refund, actor)``: ``refund`` (an ``OrderRefund``) went to the client's
  wallet.
* ``order_cancelled(order, actor, before)``: the order became ``cancelled`` from status ``before``
  (``placement.order_cancel``, or a dispute resolved ``cancelled``); the class bundles app gives
  back the units an order paid from a bundle drew.
* ``order_submitted(order, actor)``: the writer submitted the order for review (``in_review``);
  the time of the writer's work, which the editor's delivery may follow later (writers' fines).
* ``order_revision_requested(order, actor)``: the client asked for a revision, or an admin resolved
  a dispute with one (``revision_count`` already counts it).
"""

from __future__ import annotations

from django.dispatch import Signal

order_completed = Signal()
order_delivered = Signal()
order_refunded = Signal()
order_cancelled = Signal()
order_submitted = Signal()
order_revision_requested = Signal()
