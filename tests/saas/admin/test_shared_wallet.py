"""The wallets' admin: read-only wallets and ledger; "Adjust balance" asks for an amount and a
reason and posts one ledger entry through ``wallet_adjust``, refusing a debit beyond the balance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_pages,
    assert_list_queries_fixed,
    messages_of,
    run_action,
)
from tests.factories import LedgerEntryFactory, UserFactory, WalletFactory, create_in

pytestmark = pytest.mark.django_db

WALLETS = admin_url("wallet.wallet")
LEDGER = admin_url("wallet.ledgerentry")


def _wallet(tenant: Tenant, email: str, balance: str = "100.00") -> Wallet:
    user = create_in(tenant, UserFactory, email=email, roles=["student"])
    return create_in(tenant, WalletFactory, user=user, balance=balance)


def _balance_and_entries(tenant: Tenant, wallet: Wallet) -> tuple[Decimal, list[tuple[str, Decimal, str]]]:
    with tenant_context(tenant):
        entries = LedgerEntry.objects.filter(wallet=wallet).order_by("id")
        return Wallet.objects.get(pk=wallet.pk).balance, [(e.kind, e.balance_delta, e.memo) for e in entries]


def test_the_wallet_and_ledger_pages_answer_the_admin_only(alpha: Tenant) -> None:
    wallet = _wallet(alpha, "ann@alpha.test")
    with tenant_context(alpha):
        entry = LedgerEntry.objects.get(wallet=wallet)

    assert_admin_pages(
        alpha,
        "wallet.wallet",
        wallet.pk,
        query="?currency__exact=USD&q=ann@alpha",
        shows="ann@alpha.test",
        non_admin="ann@alpha.test",
    )
    assert_admin_pages(
        alpha,
        "wallet.ledgerentry",
        entry.pk,
        query=f"?kind__exact=top_up&wallet__id__exact={wallet.pk}&q=ann@alpha",
        shows="test funds",
    )
    page = admin_client(alpha).get(admin_url("wallet.wallet", "change", wallet.pk)).content.decode()
    assert f"?wallet__id__exact={wallet.pk}" in page and 'name="balance"' not in page  # a link, no input


def test_adjusting_a_balance_writes_one_ledger_row_and_an_audit_row(alpha: Tenant) -> None:
    wallet = _wallet(alpha, "ann@alpha.test")
    client = admin_client(alpha)

    asked = client.post(WALLETS, {"action": "adjust_balance", "_selected_action": [wallet.pk], "index": "0"})
    assert asked.status_code == 200 and 'name="amount"' in asked.content.decode()
    done = run_action(client, WALLETS, "adjust_balance", [wallet], amount="-30.50", reason="Duplicate top-up")

    assert "1 adjusted." in messages_of(done)
    balance, entries = _balance_and_entries(alpha, wallet)
    assert balance == Decimal("69.50")
    assert entries[1:] == [("adjustment", Decimal("-30.50"), "Duplicate top-up")]
    with tenant_context(alpha):
        audit = AuditLogEntry.objects.filter(verb="wallet.adjustment", actor__email="admin@alpha.test")
        assert audit.count() == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"amount": "5.00", "reason": ""}, "This field is required."),
        ({"amount": "0", "reason": "nothing"}, "other than zero"),
        ({"amount": "abc", "reason": "typo"}, "Enter a number."),
        ({"amount": "1.005", "reason": "too precise"}, "decimal places"),
    ],
)
def test_invalid_input_shows_the_form_again_and_changes_nothing(
    alpha: Tenant, data: dict[str, str], error: str
) -> None:
    wallet = _wallet(alpha, "ann@alpha.test")
    before = _balance_and_entries(alpha, wallet)

    response = admin_client(alpha).post(
        WALLETS, {"action": "adjust_balance", "_selected_action": [wallet.pk], "apply": "1", **data}
    )

    assert response.status_code == 200 and error in response.content.decode()
    assert _balance_and_entries(alpha, wallet) == before


def test_a_debit_beyond_the_balance_shows_the_services_error_and_changes_nothing(alpha: Tenant) -> None:
    wallet = _wallet(alpha, "ann@alpha.test", balance="10.00")
    before = _balance_and_entries(alpha, wallet)

    response = run_action(admin_client(alpha), WALLETS, "adjust_balance", [wallet], amount="-10.01", reason="Fee")

    messages = messages_of(response)
    assert len(messages) == 1 and messages[0].startswith(f"{wallet}:")
    assert "adjusted" not in messages[0]
    assert _balance_and_entries(alpha, wallet) == before


def test_another_sites_wallets_never_show(alpha: Tenant, beta: Tenant) -> None:
    stranger = _wallet(beta, "stranger@beta.test")
    client = admin_client(alpha)

    for url in (
        WALLETS + "?q=stranger",
        LEDGER + "?q=stranger",
        admin_url("wallet.wallet", "change", stranger.pk),
    ):
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert "stranger@beta.test" not in response.content.decode()


def test_the_wallet_and_ledger_lists_cost_the_same_queries_for_2_and_10_rows(alpha: Tenant) -> None:
    def add_wallet() -> None:
        wallet = WalletFactory(balance="5.00")
        LedgerEntryFactory(wallet=wallet, amount="1.00", actor=wallet.user)

    assert_list_queries_fixed(alpha, WALLETS, add_wallet)
    assert_list_queries_fixed(alpha, LEDGER, add_wallet)
