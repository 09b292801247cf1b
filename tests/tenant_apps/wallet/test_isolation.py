"""A wallet belongs to its tenant: invisible from any other site, through the ORM and the API."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.accounts.models import User
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.conftest import PASSWORD
from tests.factories import LedgerEntryFactory, WalletFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.wallet.conftest import MY_WALLET, WALLETS, error_code, wallet_url

D = Decimal
#: A user id far above any other test's, so it exists in alpha only.
ALPHA_ONLY_ID = 900_000_001


def _alpha_wallet_with_money(alpha: Tenant) -> Wallet:
    with tenant_context(alpha):
        # a chosen primary key: no service makes one, so the manager does
        user = User.objects.create_user(email="rich@alpha.test", password=PASSWORD, id=ALPHA_ONLY_ID)
        wallet = WalletFactory(user=user)
        LedgerEntryFactory(wallet=wallet, amount=D("4242.00"), reference="isolation")
    return wallet


def test_a_wallet_of_one_tenant_is_invisible_to_the_others_through_the_orm(
    alpha: Tenant, beta: Tenant, gamma: Tenant
) -> None:
    # given
    wallet = _alpha_wallet_with_money(alpha)
    # then
    for other in (beta, gamma):
        with tenant_context(other):
            assert not Wallet.objects.filter(user_id=ALPHA_ONLY_ID).exists()
            assert not Wallet.objects.filter(balance=D("4242.00")).exists()
            assert not LedgerEntry.objects.filter(reference="isolation").exists()
    with tenant_context(alpha):
        assert Wallet.objects.get(user_id=ALPHA_ONLY_ID).pk == wallet.pk


def test_another_tenants_admin_cannot_find_the_wallet_through_the_api(
    alpha: Tenant, beta: Tenant, gamma: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    _alpha_wallet_with_money(alpha)
    for other in (beta, gamma):
        admin = client_for(other, login(other, f"admin@{other.schema_name}.test")["access"])
        # when
        listed = admin.get(WALLETS, {"page_size": 100}).json()["results"]
        by_id = admin.get(wallet_url(ALPHA_ONLY_ID))
        # then
        assert "rich@alpha.test" not in {w["user"]["email"] for w in listed}
        assert "4242.00" not in {w["balance"] for w in listed}
        assert (by_id.status_code, error_code(by_id)) == (404, "not_found")


def test_a_users_token_does_not_open_their_wallet_on_another_site(
    alpha: Tenant, beta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given
    _alpha_wallet_with_money(alpha)
    token = login(alpha, "rich@alpha.test")["access"]
    # when
    at_home = client_for(alpha, token).get(MY_WALLET)
    elsewhere = client_for(beta, token).get(MY_WALLET)
    # then
    assert at_home.json()["balance"] == "4242.00"
    assert (elsewhere.status_code, error_code(elsewhere)) == (401, "token_not_valid")
    with tenant_context(beta):
        assert not Wallet.objects.filter(user_id=ALPHA_ONLY_ID).exists()
