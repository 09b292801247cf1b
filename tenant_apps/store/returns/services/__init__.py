"""Writes on returns, in the current store schema.

Who may call what: ``access.py`` (the views fetch through it; services that act for a user check
again under the locks). Locks, always in this order (``locks.py``): the order, the return, the
products (primary-key order), the wallets (primary-key order), the sellers' points accounts. Every
function is keyword-only and atomic, and records an audit row for each state change inside its
transaction; notifications are sent with it (``notify``, published after commit).

* ``requests``: ``return_create`` (the buyer).
* ``handling``: ``return_receive``, ``return_inspect`` (the courier holding the order, admin).
* ``decisions``: ``return_approve`` (refund, restock, penalty), ``return_reject`` (admin).
"""

from tenant_apps.store.returns.services.decisions import refund_shares, return_approve, return_reject
from tenant_apps.store.returns.services.handling import InspectedItem, return_inspect, return_receive
from tenant_apps.store.returns.services.requests import ReturnLine, return_create, return_window_ends_at

__all__ = [
    "InspectedItem",
    "ReturnLine",
    "refund_shares",
    "return_approve",
    "return_create",
    "return_inspect",
    "return_receive",
    "return_reject",
    "return_window_ends_at",
]
