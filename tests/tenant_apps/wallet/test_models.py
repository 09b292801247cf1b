"""The ledger is append-only, and the database itself refuses negative or malformed amounts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, LedgerEntryImmutableError, Wallet
from tests.factories import LedgerEntryFactory
from tests.fixture_types import Funded

D = Decimal


@pytest.fixture
def entry(in_alpha: Tenant, funded: Funded) -> LedgerEntry:
    wallet = funded(in_alpha, "ann@alpha.test")
    return LedgerEntryFactory(wallet=wallet, amount=D("10"), memo="original")


def _unchanged(entry: LedgerEntry) -> None:
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.balance_delta, stored.memo) == (D("10.00"), "original")


def test_an_existing_ledger_entry_cannot_be_saved_again(entry: LedgerEntry) -> None:
    entry.memo = "rewritten"
    entry.balance_delta = D("1000")
    with pytest.raises(LedgerEntryImmutableError):
        entry.save()
    _unchanged(entry)


def test_a_ledger_entry_cannot_be_saved_over_an_existing_row_by_giving_its_id(entry: LedgerEntry) -> None:
    forged = LedgerEntry(
        pk=entry.pk,
        wallet=entry.wallet,
        kind="top_up",
        balance_delta=D("1000"),
        held_delta=D("0"),
        balance_after=D("1000"),
        held_after=D("0"),
        memo="forged",
    )
    with pytest.raises(LedgerEntryImmutableError):
        forged.save()
    _unchanged(entry)


def test_a_ledger_entry_cannot_be_deleted(entry: LedgerEntry) -> None:
    with pytest.raises(LedgerEntryImmutableError):
        entry.delete()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs: qs.update(memo="rewritten"),
        lambda qs: qs.delete(),
        lambda qs: qs.bulk_update(list(qs), ["memo"]),
    ],
    ids=["update", "delete", "bulk_update"],
)
def test_ledger_entries_cannot_be_changed_in_bulk(
    entry: LedgerEntry, change: Callable[[QuerySet[LedgerEntry]], object]
) -> None:
    with pytest.raises(LedgerEntryImmutableError):
        change(LedgerEntry.objects.filter(pk=entry.pk))
    _unchanged(entry)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("field", ["balance", "held_balance"])
def test_the_database_refuses_a_negative_wallet_amount_even_when_the_code_tries(
    in_alpha: Tenant, funded: Funded, field: str
) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test", balance="1.00", held="1.00")
    # when / then: a write that skips the services still cannot persist a negative amount
    with pytest.raises(IntegrityError, match="not_negative"), transaction.atomic():
        Wallet.objects.filter(pk=wallet.pk).update(**{field: D("-0.01")})
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.held_balance) == (D("1.00"), D("1.00"))


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"balance_after": D("-1")}, "wallet_ledger_after_not_negative"),
        ({"held_after": D("-1")}, "wallet_ledger_after_not_negative"),
        ({"balance_delta": D("0"), "held_delta": D("0")}, "wallet_ledger_moves_money"),
        ({"kind": "gift"}, "wallet_ledger_kind_valid"),
    ],
)
def test_the_database_refuses_malformed_ledger_entries(
    in_alpha: Tenant, funded: Funded, fields: dict[str, Any], constraint: str
) -> None:
    wallet = funded(in_alpha, "ann@alpha.test")
    values = {
        "wallet": wallet,
        "kind": "top_up",
        "balance_delta": D("1"),
        "held_delta": D("0"),
        "balance_after": D("1"),
        "held_after": D("0"),
        **fields,
    }
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        LedgerEntry.objects.create(**values)


def test_the_database_refuses_a_second_entry_with_a_wallets_reference(in_alpha: Tenant, funded: Funded) -> None:
    # given
    wallet = funded(in_alpha, "ann@alpha.test")
    LedgerEntryFactory(wallet=wallet, amount=D("1"), reference="once")
    # when / then: even an insert that skips the services' check
    with pytest.raises(IntegrityError, match="wallet_ledger_reference_unique"), transaction.atomic():
        LedgerEntry.objects.create(
            wallet=wallet,
            kind="top_up",
            balance_delta=D("1"),
            held_delta=D("0"),
            balance_after=D("2"),
            held_after=D("0"),
            reference="once",
        )
    # and entries without a reference are not limited
    wallet.refresh_from_db()
    services.wallet_top_up(wallet=wallet, amount=D("1"))
    services.wallet_top_up(wallet=wallet, amount=D("1"))
    assert LedgerEntry.objects.filter(wallet=wallet, reference="").count() == 2


def test_a_user_has_at_most_one_wallet(in_alpha: Tenant, funded: Funded) -> None:
    wallet = funded(in_alpha, "ann@alpha.test")
    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.create(user_id=wallet.user_id, currency="USD")
