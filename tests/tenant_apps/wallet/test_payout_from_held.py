"""``wallet_payout(from_held=True)``: money set aside first (a payout request waiting for an admin)
leaves from the held balance, as one ``payout`` entry; the balance is untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet import services
from tenant_apps.wallet.models import Wallet
from tenant_apps.wallet.selectors import wallet_verify
from tests.factories import WalletFactory

D = Decimal


def _amounts(wallet: Wallet) -> tuple[Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.balance, wallet.held_balance


def test_a_payout_from_held_money_leaves_the_balance_alone(alpha: Tenant) -> None:
    with tenant_context(alpha):
        # given: 30.00 spendable, 50.00 held
        wallet = WalletFactory(balance="30.00", held_balance="50.00")
        # when
        entry = services.wallet_payout(wallet=wallet, amount=D("50"), reference="payout:1:paid", from_held=True)
        # then
        assert _amounts(wallet) == (D("30.00"), D("0.00"))
        assert (entry.kind, entry.balance_delta, entry.held_delta, entry.held_after) == (
            "payout",
            D("0.00"),
            D("-50.00"),
            D("0.00"),
        )
        assert wallet_verify(wallet) == []


def test_a_payout_from_held_money_refuses_more_than_is_held(alpha: Tenant) -> None:
    with tenant_context(alpha):
        wallet = WalletFactory(balance="100.00", held_balance="10.00")
        with pytest.raises(ApplicationError) as refused:
            services.wallet_payout(wallet=wallet, amount=D("10.01"), from_held=True)
        assert (refused.value.status_code, refused.value.code) == (409, "insufficient_held_funds")
        assert _amounts(wallet) == (D("100.00"), D("10.00"))


def test_a_payout_from_held_money_is_idempotent_by_reference(alpha: Tenant) -> None:
    with tenant_context(alpha):
        wallet = WalletFactory(held_balance="20.00")
        first = services.wallet_payout(wallet=wallet, amount=D("20"), reference="p:1", from_held=True)
        again = services.wallet_payout(wallet=wallet, amount=D("20"), reference="p:1", from_held=True)
        assert again.pk == first.pk
        assert _amounts(wallet) == (D("0.00"), D("0.00"))
