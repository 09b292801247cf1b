"""Writes on writing orders, in the current writing schema.

Who may call what: ``access.py`` and ``transitions.py`` (the one table of status moves). Locks
(``locks.py``): every change of an existing order locks its invoice, then the order; money moves
lock wallets last. Every function is atomic, audits each state change (``audit_record``: the
order's activity log) and notifies the people it concerns (``notify``, published after commit).

* ``placement``: ``order_place``, ``order_pay_wallet``, ``order_pay_card``, ``order_mark_paid``
  (``invoice_paid``), ``order_mark_paid_otherwise`` (a class bundle), ``order_cancel``.
* ``assignment``: ``order_request``, ``order_assign``.
* ``work``: ``order_start``, ``order_submit``, ``order_return``, ``order_deliver``,
  ``order_request_revision``, ``order_approve`` (and ``complete_order``, the earning).
* ``disputes``: ``order_dispute``, ``order_resolve``.
* ``refunds``: ``order_refund`` (and ``refunded_total``, ``refundable_amount``).
* ``settings``: ``order_settings`` (read), ``order_settings_update``.
"""

from tenant_apps.writing.orders.services._common import order_settings
from tenant_apps.writing.orders.services.assignment import order_assign, order_request
from tenant_apps.writing.orders.services.disputes import order_dispute, order_resolve
from tenant_apps.writing.orders.services.placement import (
    OrderCheckout,
    order_cancel,
    order_mark_paid,
    order_mark_paid_otherwise,
    order_pay_card,
    order_pay_wallet,
    order_place,
)
from tenant_apps.writing.orders.services.refunds import order_refund, refundable_amount, refunded_total
from tenant_apps.writing.orders.services.settings import order_settings_update
from tenant_apps.writing.orders.services.work import (
    order_approve,
    order_deliver,
    order_request_revision,
    order_return,
    order_start,
    order_submit,
    revision_window_end,
)

__all__ = [
    "OrderCheckout",
    "order_approve",
    "order_assign",
    "order_cancel",
    "order_deliver",
    "order_dispute",
    "order_mark_paid",
    "order_mark_paid_otherwise",
    "order_pay_card",
    "order_pay_wallet",
    "order_place",
    "order_refund",
    "order_request",
    "order_request_revision",
    "order_resolve",
    "order_return",
    "order_settings",
    "order_settings_update",
    "order_start",
    "order_submit",
    "refundable_amount",
    "refunded_total",
    "revision_window_end",
]
