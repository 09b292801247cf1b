"""``escrow_capture_to_site``: held money the site keeps (a store's commission), with no payee wallet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.api.errors import ApplicationError
from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.fixture_types import Funded

D = Decimal


def amounts(wallet: Wallet) -> tuple[Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.balance, wallet.held_balance


def test_the_site_keeps_held_money_and_the_balance_is_untouched(in_alpha: Tenant, funded: Funded) -> None:
    # given
    buyer = funded(in_alpha, "buyer@alpha.test", balance="3.00", held="20.00")
    # when
    entry = services.escrow_capture_to_site(wallet=buyer, amount="2.50", reference="order:7:commission")
    # then
    assert amounts(buyer) == (D("3.00"), D("17.50"))
    assert (entry.kind, entry.balance_delta, entry.held_delta, entry.counterparty_id) == (
        "escrow_capture",
        D("0"),
        D("-2.50"),
        None,
    )
    assert AuditLogEntry.objects.filter(verb="wallet.escrow_capture_to_site", target_id=str(buyer.pk)).count() == 1


def test_repeating_it_with_its_reference_captures_once(in_alpha: Tenant, funded: Funded) -> None:
    # given
    buyer = funded(in_alpha, "buyer@alpha.test", held="20.00")
    first = services.escrow_capture_to_site(wallet=buyer, amount="5.00", reference="order:8:commission")
    # when
    again = services.escrow_capture_to_site(wallet=buyer, amount="5.00", reference="order:8:commission")
    # then
    assert again.pk == first.pk
    assert amounts(buyer) == (D("0"), D("15.00"))
    assert LedgerEntry.objects.filter(wallet=buyer, kind="escrow_capture").count() == 1


def test_it_cannot_take_more_than_is_held(in_alpha: Tenant, funded: Funded) -> None:
    # given
    buyer = funded(in_alpha, "buyer@alpha.test", balance="50.00", held="1.00")
    # when
    with pytest.raises(ApplicationError) as refused:
        services.escrow_capture_to_site(wallet=buyer, amount="1.01")
    # then
    assert (refused.value.code, refused.value.status_code) == ("insufficient_held_funds", 409)
    assert amounts(buyer) == (D("50.00"), D("1.00"))
