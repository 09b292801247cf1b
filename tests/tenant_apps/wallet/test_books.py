"""The books checker of ``tests/money.py``: it accepts right books, catches wrong ones, and the swarm
keeps the number of operations in flight it promises. The kinds' money-invariant tests rely on it."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet import services
from tenant_apps.wallet.models import Wallet
from tests.fixture_types import Funded
from tests.money import Books, BooksDoNotBalance, assert_books_hold, read_books, swarm

D = Decimal


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone at the end, so the damage done inside never reaches the after-test check."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def test_every_kind_of_movement_is_counted_as_coming_in_going_out_or_staying(in_alpha: Tenant, funded: Funded) -> None:
    # given
    before = assert_books_hold()
    ann = funded(in_alpha, "books-ann@alpha.test", balance="100")  # a top-up of 100
    bob = funded(in_alpha, "books-bob@alpha.test")
    # when: money moves between users, inside a wallet, in and out
    services.wallet_transfer(source=ann, destination=bob, amount="30")
    services.escrow_hold(wallet=ann, amount="50")
    services.escrow_capture(payer=ann, payee=bob, amount="20")
    services.escrow_capture_to_site(wallet=ann, amount="10")  # out
    services.escrow_release(wallet=ann, amount="20")
    services.wallet_payout(wallet=bob, amount="15")  # out
    services.wallet_refund(payer=ann, amount="5")  # in, from the site
    services.wallet_adjust(wallet=bob, amount="-3", reason="fee", actor=None)  # out
    services.wallet_adjust(wallet=ann, amount="2", reason="goodwill", actor=None)  # in
    # then
    after = assert_books_hold()
    assert after.users_total - before.users_total == D("79.00")  # 100 + 5 + 2 - 10 - 15 - 3
    assert after.came_in - before.came_in == D("107.00")
    assert after.went_out - before.went_out == D("28.00")
    assert after.flow_since(before, "payout") == D("-15.00")
    assert after.flow_since(before, "escrow_capture") == D("-10.00")  # the site's capture only


def test_a_wallet_changed_behind_the_ledger_is_caught(in_alpha: Tenant, funded: Funded) -> None:
    # given
    wallet = funded(in_alpha, "books-tamper@alpha.test", balance="10")
    # when: a lost update, as a missing lock would make one
    with rolled_back():
        Wallet.objects.filter(pk=wallet.pk).update(balance=D("20.00"))
        # then
        with pytest.raises(BooksDoNotBalance, match="disagree with their ledger"):
            assert_books_hold()


def test_a_leg_without_its_other_half_is_caught(in_alpha: Tenant, funded: Funded) -> None:
    # given: a transfer's credit leg written alone (its debit lost), the wallet in step with it
    ann = funded(in_alpha, "books-half-a@alpha.test", balance="10")
    bob = funded(in_alpha, "books-half-b@alpha.test")
    with rolled_back(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallet_ledgerentry (wallet_id, kind, balance_delta, held_delta, balance_after, held_after,"
            " operation, counterparty_id, reference, memo, created_at)"
            " VALUES (%s, 'transfer', 7, 0, 7, 0, gen_random_uuid(), %s, '', '', now())",
            [bob.pk, ann.pk],
        )
        Wallet.objects.filter(pk=bob.pk).update(balance=D("7.00"))
        # then: each wallet agrees with its ledger, yet money appeared from nowhere
        with pytest.raises(BooksDoNotBalance, match="came in"):
            assert_books_hold()


def test_a_negative_wallet_is_caught(in_alpha: Tenant, funded: Funded) -> None:
    # given: the constraints lifted inside a savepoint only, as a broken migration could
    wallet = funded(in_alpha, "books-negative@alpha.test")
    with rolled_back(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE wallet_wallet DROP CONSTRAINT wallet_balance_not_negative")
        cursor.execute("ALTER TABLE wallet_ledgerentry DROP CONSTRAINT wallet_ledger_after_not_negative")
        cursor.execute("UPDATE wallet_wallet SET balance = -1 WHERE id = %s", [wallet.pk])
        cursor.execute(
            "INSERT INTO wallet_ledgerentry (wallet_id, kind, balance_delta, held_delta, balance_after, held_after,"
            " operation, reference, memo, created_at)"
            " VALUES (%s, 'adjustment', -1, 0, -1, 0, gen_random_uuid(), '', '', now())",
            [wallet.pk],
        )
        # then: the ledger agrees with the wallet, but it is below zero
        with pytest.raises(BooksDoNotBalance, match="negative wallets"):
            assert_books_hold()


def test_the_swarm_keeps_its_workers_busy_together_and_returns_results_in_order(alpha: Tenant) -> None:
    # given: operations that note how many run at the same moment
    running, most = [0], [0]
    lock = threading.Lock()

    def operation(index: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        if index == 7:
            raise ValueError("seven")
        assert tenant_connection().schema_name == alpha.schema_name
        return index * 2

    # when
    results = swarm([functools.partial(operation, i) for i in range(40)], tenant=alpha, workers=5)
    # then
    assert most[0] == 5
    assert isinstance(results[7], ValueError)
    assert [r for i, r in enumerate(results) if i != 7] == [i * 2 for i in range(40) if i != 7]


def test_books_are_read_in_four_queries_whatever_the_size_of_the_ledger(in_alpha: Tenant) -> None:
    with CaptureQueriesContext(connection) as queries:
        books = read_books()
    assert isinstance(books, Books)
    reads = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET ")]
    assert len(reads) == 4  # wallets, flows, flows by kind, entries
