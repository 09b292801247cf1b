"""Row locks on wallets, always taken in one order so that concurrent operations cannot deadlock.

Every write to a wallet's amounts happens while its row is locked by the writing transaction
(``SELECT ... FOR NO KEY UPDATE``), so concurrent operations on one wallet run one after another and each
sees the amounts the previous one committed. An operation on several wallets locks them in one
statement, ordered by primary key: two transfers A -> B and B -> A both lock A first, so neither
can hold B while waiting for A (after Saleor's ``lock_objects`` modules).

Code that locks other rows too (an order, a bid) should lock those first and the wallets last,
through these helpers, inside the same ``transaction.atomic()``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from saas.errors import NotFound
from tenant_apps.wallet.models import Wallet


def wallet_qs_select_for_update() -> QuerySet[Wallet]:
    """Wallets locked in primary-key order when evaluated (inside a transaction).

    ``order_by("pk")`` is intentional: PostgreSQL locks the rows in the order it returns them.
    """
    return Wallet.objects.order_by("pk").select_for_update(no_key=True, of=("self",))


def wallets_lock(*, wallet_ids: Iterable[int]) -> dict[int, Wallet]:
    """Lock the wallets ``wallet_ids`` (in primary-key order) and return them by id, freshly read.

    Must run inside ``transaction.atomic()``; the locks last until it ends. Raises
    ``NotFound`` (404 ``not_found``) when one of them does not exist.
    """
    wanted = set(wallet_ids)
    wallets = {wallet.pk: wallet for wallet in wallet_qs_select_for_update().filter(pk__in=wanted)}
    if len(wallets) != len(wanted):
        raise NotFound("No such wallet.")
    return wallets
