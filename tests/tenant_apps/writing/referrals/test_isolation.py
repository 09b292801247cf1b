"""One writing site's referrals are invisible from another (golf and hotel): a golf code means
nothing on hotel, a golf reward lands in golf's wallets only, lists and tokens stay on their site."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.models import LedgerEntry
from tenant_apps.writing.referrals.models import Referral
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order
from tests.tenant_apps.writing.referrals.conftest import LIST, ME, claim, code_of


def test_a_golf_code_is_unknown_on_hotel_and_golfs_reward_stays_in_golf(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: golf's cleo has a code; hotel has its own cleo and carl (namesakes)
    other = make_writing(hotel, client_for, login)
    golf_code = code_of(writing, "cleo")
    # when: hotel's carl claims golf's code
    response = claim(other, "carl", golf_code)
    # then: no such code there (unless hotel's cleo drew the same by chance: she has none yet)
    assert (response.status_code, error_code(response)) == (400, "referral_code_invalid")
    # and golf's referral, rewarded, writes nothing in hotel
    assert claim(writing, "carl", golf_code).status_code == 201
    make_order(writing, "completed", client=writing.carl)
    with tenant_context(hotel):
        assert not Referral.objects.exists()
        assert not LedgerEntry.objects.filter(reference__startswith="referral:").exists()
    assert other.client("admin").get(LIST).json()["results"] == []
    assert other.client("carl").get(ME).json()["referred_by"] is None


def test_a_hotel_token_does_not_open_golfs_referrals(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: hotel's admin's token
    token = login(hotel, f"admin@{hotel.schema_name}.test")["access"]
    claim(writing, "carl", code_of(writing, "cleo"))
    # when: sent to golf
    response = client_for(writing.tenant, token).get(LIST)
    # then
    assert response.status_code == 401
