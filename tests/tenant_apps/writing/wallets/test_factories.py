"""The payout request factory (``tests/factories/writing_wallets.py``) walks a request to each
status through the services: the money is where the status says, and the wallet equals its ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from saas.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.selectors import ledger_discrepancies, wallet_of
from tests.factories.writing_wallets import PayoutRequestFactory

D = Decimal


@pytest.mark.parametrize(
    ("status", "balance", "held"),
    [
        ("requested", D("0.00"), D("40.00")),
        ("approved", D("0.00"), D("40.00")),
        ("paid", D("0.00"), D("0.00")),
        ("rejected", D("40.00"), D("0.00")),
    ],
)
def test_the_payout_factory_walks_a_request_to_each_status(
    golf: Tenant, status: str, balance: Decimal, held: Decimal
) -> None:
    with tenant_context(golf):
        payout = PayoutRequestFactory(status=status)
        payout.full_clean()
        wallet = wallet_of(user=payout.writer)
        assert (payout.status, wallet.balance, wallet.held_balance) == (status, balance, held)
        assert ledger_discrepancies(wallet_ids=[wallet.pk]) == []


def test_the_payout_factory_refuses_what_payout_request_refuses(golf: Tenant) -> None:
    with tenant_context(golf), pytest.raises(ApplicationError) as refused:
        PayoutRequestFactory(amount="50.00", earned="20.00")
    assert refused.value.code == "insufficient_funds"
