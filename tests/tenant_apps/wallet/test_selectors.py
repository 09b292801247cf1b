"""``ledger_discrepancies`` / ``wallet_verify`` find every wallet whose amounts disagree with its ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet import selectors, services
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tenant_apps.wallet.selectors import LedgerDiscrepancy
from tests.factories import WalletFactory
from tests.fixture_types import Funded, MakeUser

D = Decimal


def test_wallets_changed_only_through_services_have_no_discrepancy(in_alpha: Tenant, funded: Funded) -> None:
    a = funded(in_alpha, "a@alpha.test", balance="50.00", held="25.00")
    b = funded(in_alpha, "b@alpha.test", balance="5.00")
    services.escrow_capture(payer=a, payee=b, amount=D("10"))
    services.wallet_refund(payer=a, payee=b, amount=D("3"))
    assert selectors.wallet_verify(a) == []
    assert selectors.ledger_discrepancies(wallet_ids=[a.pk, b.pk]) == []


def test_an_amount_changed_behind_the_ledgers_back_is_reported(in_alpha: Tenant, funded: Funded) -> None:
    # given
    tampered = funded(in_alpha, "a@alpha.test", balance="50.00", held="25.00")
    fine = funded(in_alpha, "b@alpha.test", balance="5.00")
    # when
    Wallet.objects.filter(pk=tampered.pk).update(balance=D("60.00"), held_balance=D("20.00"))
    # then
    assert selectors.ledger_discrepancies() == [
        LedgerDiscrepancy(tampered.pk, "balance", expected=D("50.00"), actual=D("60.00")),
        LedgerDiscrepancy(tampered.pk, "held_balance", expected=D("25.00"), actual=D("20.00")),
    ]
    assert selectors.wallet_verify(fine) == []
    # put the books right again (the after-test check looks at every wallet)
    Wallet.objects.filter(pk=tampered.pk).update(balance=D("50.00"), held_balance=D("25.00"))


def test_an_entry_whose_running_amounts_are_wrong_is_reported(in_alpha: Tenant, funded: Funded) -> None:
    # given: an entry appended without the services, with a wrong balance_after
    wallet = funded(in_alpha, "a@alpha.test", balance="10.00")
    bad = LedgerEntry.objects.create(
        wallet=wallet,
        kind="top_up",
        balance_delta=D("5"),
        held_delta=D("0"),
        balance_after=D("16.00"),
        held_after=D("1.00"),
    )
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("15.00"))
    # when
    found = selectors.wallet_verify(wallet)
    # then
    assert found == [
        LedgerDiscrepancy(wallet.pk, "balance_after", expected=D("15.00"), actual=D("16.00"), entry_id=bad.pk),
        LedgerDiscrepancy(wallet.pk, "held_after", expected=D("0.00"), actual=D("1.00"), entry_id=bad.pk),
    ]
    # put the books right again, past the application (the after-test check looks at every wallet)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM wallet_ledgerentry WHERE id = %s", [bad.pk])
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("10.00"))


def test_a_wallet_without_entries_must_be_empty(in_alpha: Tenant, make_user: MakeUser) -> None:
    wallet = WalletFactory(user=make_user(in_alpha, "a@alpha.test"))
    assert selectors.wallet_verify(wallet) == []
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("1.00"))
    assert selectors.wallet_verify(wallet) == [LedgerDiscrepancy(wallet.pk, "balance", D("0.00"), D("1.00"))]
    Wallet.objects.filter(pk=wallet.pk).update(balance=D("0.00"))
