"""Writes on auctions and bids, in the current store tenant's schema (issue "The store kind",
point 5; seed 001: admin-approved auctions, wallet holds per bid, anti-sniping, closing into an
order for the winner).

* ``auction_create`` (seller) -> ``pending``; ``auction_approve`` (admin) -> ``scheduled``;
  ``auction_reject`` (admin, reason) -> ``rejected``.
* ``bid_place`` (customers): under the auction's row lock, the bid's amount held in the bidder's
  wallet and the outbid leader's hold released in the same transaction (``services.bids``).
* ``auction_close`` (admin after the end, or the beat task through ``auctions_close_due``):
  an order for the winner paid from the winning hold (``services.closing``).

Locking: the auction row first (``locks.auction_lock``), then its product (closing,
``catalog.locks.product_lock``), then wallets in primary-key order (``locks.bid_wallets_lock``).
Every function is atomic.
"""

from tenant_apps.store.auctions.services.auctions import auction_approve, auction_create, auction_reject
from tenant_apps.store.auctions.services.bids import bid_place
from tenant_apps.store.auctions.services.closing import auction_close, auction_hold_reference, auctions_close_due

__all__ = [
    "auction_approve",
    "auction_close",
    "auction_create",
    "auction_hold_reference",
    "auction_reject",
    "auctions_close_due",
    "bid_place",
]
