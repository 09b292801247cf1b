"""The books of one site, and a swarm of concurrent operations to test them with (issue 18, point 3).

Money lives in wallets (``tenant_apps.wallet``); every movement is a ledger entry. After any mix
of conflicting operations the books of a site must hold:

1. each wallet's ``balance`` and ``held_balance`` equal the sums of its ledger, and each entry's
   running totals are right (``ledger_discrepancies``);
2. no wallet and no entry is negative;
3. an operation between users (transfer, capture to a payee, refund by a payee) creates no money
   and loses none: its entries sum to zero; a hold or a release only moves money inside a wallet;
4. so the money users hold changes only by what came in from outside (top-ups, earnings, refunds
   by the site, adjustments up) and what went out (payments and captures to the site, payouts,
   adjustments down): ``Books.users_total == Books.came_in - Books.went_out``. Each kind's test
   then checks those flows against its own records (orders paid, payouts made, ...).

``swarm`` runs many operations at once on a bounded pool of threads (200 threads would need 200
connections; the server allows 100 for every test worker together, and the process's pool 10).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, F, Q, Sum
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryKind, Wallet
from tenant_apps.wallet.selectors import ledger_discrepancies

ZERO = Decimal("0.00")
#: Operations in flight together. The process's connection pool holds DB_POOL_MAX_SIZE (10)
#: connections and the test's own transaction keeps one: eight workers never wait for one.
WORKERS = 8
TIMEOUT = 300.0

# one-legged kinds that only move money inside one wallet (balance <-> held)
WITHIN_A_WALLET = (LedgerEntryKind.ESCROW_HOLD, LedgerEntryKind.ESCROW_RELEASE)


@dataclass(frozen=True)
class Books:
    """A site's money at one moment, in its currency (``Decimal``, 2 places).

    ``users_total``: the sum of every wallet's ``balance + held_balance``. ``came_in`` and
    ``went_out``: the sums, over the whole ledger, of the entries with no counterparty wallet
    (holds and releases aside) that brought money in from outside (top-ups, earnings, refunds
    by the site, adjustments up) or sent it out (payments, captures to the site, payouts,
    adjustments down), both positive; ``by_kind`` the net of those entries by kind (signed).
    ``entries``: how many ledger entries there are.
    """

    users_total: Decimal
    came_in: Decimal
    went_out: Decimal
    entries: int
    by_kind: dict[str, Decimal] = field(default_factory=dict)

    def flow_since(self, earlier: Books, kind: str) -> Decimal:
        """The signed net amount entries of ``kind`` moved between ``earlier`` and now (one-legged ones)."""
        return self.by_kind.get(kind, ZERO) - earlier.by_kind.get(kind, ZERO)


class BooksDoNotBalance(AssertionError):
    """The books of the site broke one of the rules of this module's docstring; the message says which."""


def read_books() -> Books:
    """The ``Books`` of the current schema's site (four queries)."""
    users_total = Wallet.objects.aggregate(total=Sum(F("balance") + F("held_balance")))["total"] or ZERO
    external = LedgerEntry.objects.filter(counterparty__isnull=True).exclude(kind__in=WITHIN_A_WALLET)
    moved = F("balance_delta") + F("held_delta")
    flows = external.annotate(moved=moved).aggregate(
        came_in=Sum("moved", filter=Q(moved__gt=0)), went_out=Sum("moved", filter=Q(moved__lt=0))
    )
    by_kind = {row["kind"]: row["net"] for row in external.values("kind").annotate(net=Sum(moved)).order_by()}
    return Books(
        users_total=users_total,
        came_in=flows["came_in"] or ZERO,
        went_out=-(flows["went_out"] or ZERO),
        entries=LedgerEntry.objects.count(),
        by_kind=by_kind,
    )


def assert_books_hold() -> Books:
    """Check rules 1 to 4 of the module docstring in the current schema; returns the ``Books``.

    Raises ``BooksDoNotBalance`` naming the first rule broken and the rows breaking it.
    """
    discrepancies = ledger_discrepancies()
    if discrepancies:
        raise BooksDoNotBalance(f"wallets disagree with their ledger: {discrepancies[:10]}")
    negative = list(
        Wallet.objects.filter(Q(balance__lt=0) | Q(held_balance__lt=0)).values_list("pk", "balance", "held_balance")
    )
    if negative:
        raise BooksDoNotBalance(f"negative wallets: {negative[:10]}")
    unbalanced = list(
        LedgerEntry.objects.values("operation")
        .annotate(legs=Count("id"), net=Sum(F("balance_delta") + F("held_delta")))
        .filter(legs__gt=1)
        .exclude(net=0)
        .values_list("operation", "net")[:10]
    )
    if unbalanced:
        raise BooksDoNotBalance(f"operations between wallets that create or lose money: {unbalanced}")
    moved_out_of_a_wallet = list(
        LedgerEntry.objects.filter(kind__in=WITHIN_A_WALLET)
        .exclude(balance_delta=-F("held_delta"))
        .values_list("pk", "kind", "balance_delta", "held_delta")[:10]
    )
    if moved_out_of_a_wallet:
        raise BooksDoNotBalance(f"holds or releases that are not a move inside one wallet: {moved_out_of_a_wallet}")
    books = read_books()
    if books.users_total != books.came_in - books.went_out:
        raise BooksDoNotBalance(
            f"users hold {books.users_total}, but {books.came_in} came in and {books.went_out} went out"
        )
    return books


def swarm(
    operations: list[Callable[[], Any]],
    *,
    tenant: Tenant,
    workers: int = WORKERS,
    timeout: float = TIMEOUT,
) -> list[Any]:
    """Run every operation, ``workers`` at a time, in ``tenant``'s schema; returns their results or
    the exceptions they raised, in the order given.

    Each operation runs on a connection of its worker thread's (autocommit: what it writes is
    committed when it returns), given back to the pool after it: Django's test client keeps a
    request's connection, which would pin one per thread. The workers start at the same moment
    (a barrier), then take the next operation as soon as they finish one, so ``workers``
    operations are always in flight together.
    """
    results: list[Any] = [None] * len(operations)
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(operations)):
        todo.put(index)
    size = max(1, min(workers, len(operations)))
    start = threading.Barrier(size)

    def work() -> None:
        try:
            with tenant_context(tenant):
                start.wait(timeout=30)
                while True:
                    try:
                        index = todo.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        results[index] = operations[index]()
                    except Exception as exc:  # recorded for the assertions
                        results[index] = exc
                    finally:
                        connections.close_all()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, name=f"swarm-{i}") for i in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a swarm thread hung"
    return results
