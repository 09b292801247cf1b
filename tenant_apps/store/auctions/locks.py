"""Row locks of the auctions app (the platform-wide order is in docs/architecture.md, "Locks in
one order"): an auction row first, then (closing) its product (``catalog.locks``), then the
wallets of the bidders involved, in primary-key order, in one statement (``bid_wallets_lock``).

Every write on an auction's bids, price, leader, end or status holds the auction's row lock, so
bids on one auction are placed one after the other and each sees the price the previous one set.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenant_apps.store.auctions.models import Auction
from tenant_apps.wallet.locks import wallets_lock
from tenant_apps.wallet.models import Wallet


def auction_lock(pk: int) -> Auction:
    """The auction ``pk`` locked until the transaction ends (call inside ``transaction.atomic``);
    ``Auction.DoesNotExist`` if missing."""
    return Auction.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)


def bid_wallets_lock(wallet_ids: Iterable[int]) -> dict[int, Wallet]:
    """The wallets of a bid (the bidder's and the outbid leader's), locked in primary-key order in
    one statement, after the auction's lock: the wallet services called next lock them again
    (already held), so two bids on different auctions moving money between the same two wallets
    in opposite directions cannot deadlock."""
    return wallets_lock(wallet_ids=wallet_ids)
