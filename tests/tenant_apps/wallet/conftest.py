"""Helpers of the wallet tests: endpoints, funded wallets, and the books checked after every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.models import Wallet
from tests.api import error_code  # noqa: F401 (re-exported to the tests of this folder)
from tests.conftest import SESSION_TENANTS
from tests.factories import WalletFactory, create_in
from tests.fixture_types import Funded, MakeUser

MY_WALLET = "/api/v1/wallet/"
MY_LEDGER = "/api/v1/wallet/ledger/"
WALLETS = "/api/v1/wallets/"


def wallet_url(user_id: int, suffix: str = "") -> str:
    """``/api/v1/wallets/{user_id}/`` plus ``suffix`` (``"ledger/"``, ``"adjust/"``, ``"top-up/"``)."""
    return f"{WALLETS}{user_id}/{suffix}"


@pytest.fixture(autouse=True)
def _books_balance(session_tenants: dict[str, Tenant], db: None) -> Iterator[None]:
    """After every test, in every session tenant: each wallet equals the sums of its ledger."""
    from tenant_apps.wallet.selectors import ledger_discrepancies

    yield
    for slug in SESSION_TENANTS:
        with tenant_context(session_tenants[slug]):
            assert ledger_discrepancies() == [], f"wallets disagree with their ledger in {slug}"


@pytest.fixture
def in_alpha(alpha: Tenant) -> Iterator[Tenant]:
    """The test body runs in alpha's schema."""
    with tenant_context(alpha):
        yield alpha


@pytest.fixture
def funded(make_user: MakeUser) -> Funded:
    """``funded(tenant, email, balance="0", held="0")``: a new user's wallet holding those amounts,
    put there through the services (a top-up, then a hold: ``WalletFactory``), so its ledger is right."""

    def make(tenant: Tenant, email: str, balance: str = "0", held: str = "0", roles: list[str] | None = None) -> Wallet:
        user = make_user(tenant, email, roles=roles)
        return create_in(tenant, WalletFactory, user=user, balance=balance, held_balance=held)

    return make
