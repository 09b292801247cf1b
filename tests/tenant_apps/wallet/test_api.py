"""The wallet API: own wallet and ledger for everyone, other wallets and changes for admins only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context
from pytest_django import Settings
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet import services
from tenant_apps.wallet.models import LedgerEntry, Wallet
from tests.fixture_types import ApiAs, ClientFor, Funded, Login, MakeUser
from tests.tenant_apps.wallet.conftest import MY_LEDGER, MY_WALLET, WALLETS, error_code, wallet_url

D = Decimal


@pytest.fixture
def as_user(client_for: ClientFor, login: Login) -> ApiAs:
    """``as_user(tenant, email)``: an API client logged in as ``email``."""
    return lambda tenant, email: client_for(tenant, login(tenant, email)["access"])


@pytest.fixture
def admin(alpha: Tenant, as_user: ApiAs) -> APIClient:
    return as_user(alpha, "admin@alpha.test")


# --------------------------------------------------------------------------------------------
# Own wallet
# --------------------------------------------------------------------------------------------


def test_a_user_sees_an_empty_wallet_before_any_money_moved(
    alpha: Tenant, as_user: ApiAs, make_user: MakeUser, settings: Settings
) -> None:
    user = make_user(alpha, "ann@alpha.test")
    response = as_user(alpha, "ann@alpha.test").get(MY_WALLET)
    assert response.status_code == 200, response.content
    assert response.json()["user"] == {"id": user.pk, "email": "ann@alpha.test"}
    assert (response.json()["currency"], response.json()["balance"], response.json()["held_balance"]) == (
        settings.DEFAULT_CURRENCY,
        "0.00",
        "0.00",
    )


def test_reading_wallets_and_ledgers_writes_nothing(
    alpha: Tenant, as_user: ApiAs, admin: APIClient, make_user: MakeUser
) -> None:
    # given: a user whose wallet was never opened
    from tenant_apps.audit.models import AuditLogEntry

    user = make_user(alpha, "reader@alpha.test")
    with tenant_context(alpha):
        before = (Wallet.objects.count(), AuditLogEntry.objects.count())
    # when: the owner and an admin read it and its ledger
    owner = as_user(alpha, "reader@alpha.test")
    answers = [
        owner.get(MY_WALLET),
        owner.get(MY_LEDGER),
        admin.get(wallet_url(user.pk)),
        admin.get(f"{wallet_url(user.pk)}ledger/"),
    ]
    # then: every read answered, and no row was written
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert answers[1].json()["count"] == answers[3].json()["count"] == 0
    with tenant_context(alpha):
        assert (Wallet.objects.count(), AuditLogEntry.objects.count()) == before


def test_the_own_wallet_shows_balance_and_held_as_decimal_strings(
    alpha: Tenant, as_user: ApiAs, funded: Funded
) -> None:
    funded(alpha, "ann@alpha.test", balance="12.50", held="7.25")
    body = as_user(alpha, "ann@alpha.test").get(MY_WALLET).json()
    assert (body["balance"], body["held_balance"]) == ("12.50", "7.25")


def test_the_own_ledger_lists_only_the_users_entries_newest_first_page_by_page(
    alpha: Tenant, as_user: ApiAs, funded: Funded
) -> None:
    # given
    ann = funded(alpha, "ann@alpha.test", balance="10.00")
    bob = funded(alpha, "bob@alpha.test", balance="99.00")
    with tenant_context(alpha):
        services.escrow_hold(wallet=ann, amount=D("4"))
        services.wallet_transfer(source=ann, destination=bob, amount=D("1"), reference="gift", memo="thanks")
    client = as_user(alpha, "ann@alpha.test")
    # when
    first = client.get(MY_LEDGER, {"page_size": 2})
    second = client.get(MY_LEDGER, {"page_size": 2, "page": 2})
    # then
    assert first.status_code == 200
    assert first.json()["count"] == 3
    newest, held = first.json()["results"]
    assert (newest["kind"], newest["balance_delta"], newest["balance_after"], newest["currency"]) == (
        "transfer",
        "-1.00",
        "5.00",
        "USD",
    )
    assert (newest["counterparty_user_id"], newest["reference"], newest["memo"]) == (bob.user_id, "gift", "thanks")
    assert (held["kind"], held["held_delta"], held["held_after"]) == ("escrow_hold", "4.00", "4.00")
    assert [e["kind"] for e in second.json()["results"]] == ["top_up"]


def test_a_user_without_a_wallet_has_an_empty_ledger(alpha: Tenant, as_user: ApiAs, make_user: MakeUser) -> None:
    make_user(alpha, "ann@alpha.test")
    response = as_user(alpha, "ann@alpha.test").get(MY_LEDGER)
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("path", [MY_WALLET, MY_LEDGER, WALLETS, wallet_url(1), wallet_url(1, "ledger/")])
def test_anonymous_callers_are_refused(alpha: Tenant, client_for: ClientFor, path: str) -> None:
    response = client_for(alpha).get(path)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


# --------------------------------------------------------------------------------------------
# Other users' wallets: the owner and admins only
# --------------------------------------------------------------------------------------------


def test_a_user_reads_their_own_wallet_by_id(alpha: Tenant, as_user: ApiAs, funded: Funded) -> None:
    wallet = funded(alpha, "ann@alpha.test", balance="3.00")
    client = as_user(alpha, "ann@alpha.test")
    assert client.get(wallet_url(wallet.user_id)).json()["balance"] == "3.00"
    assert client.get(wallet_url(wallet.user_id, "ledger/")).json()["count"] == 1


@pytest.mark.parametrize("suffix", ["", "ledger/"])
def test_another_users_wallet_is_not_found_for_a_non_admin_like_an_unknown_user(
    alpha: Tenant, as_user: ApiAs, funded: Funded, suffix: str
) -> None:
    # given
    funded(alpha, "ann@alpha.test")
    other = funded(alpha, "bob@alpha.test", balance="50.00")
    client = as_user(alpha, "ann@alpha.test")
    # when
    theirs = client.get(wallet_url(other.user_id, suffix))
    nobody = client.get(wallet_url(987_654_321, suffix))
    # then
    assert (theirs.status_code, error_code(theirs)) == (404, "not_found")
    assert (nobody.status_code, error_code(nobody)) == (404, "not_found")
    assert theirs.json() == nobody.json()


@pytest.mark.parametrize("role", ["student", "teacher", "support", "financial"])
def test_only_admins_list_wallets(alpha: Tenant, as_user: ApiAs, make_user: MakeUser, role: str) -> None:
    make_user(alpha, "someone@alpha.test", roles=[role])
    response = as_user(alpha, "someone@alpha.test").get(WALLETS)
    assert (response.status_code, error_code(response)) == (403, "permission_denied")


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        ("adjust/", {"amount": "5.00", "reason": "mine"}),
        ("top-up/", {"amount": "5.00"}),
    ],
)
def test_only_admins_adjust_or_top_up_even_their_own_wallet(
    alpha: Tenant, as_user: ApiAs, funded: Funded, suffix: str, body: dict[str, str]
) -> None:
    wallet = funded(alpha, "ann@alpha.test", roles=["financial"])
    response = as_user(alpha, "ann@alpha.test").post(wallet_url(wallet.user_id, suffix), body)
    assert (response.status_code, error_code(response)) == (403, "permission_denied")
    with tenant_context(alpha):
        assert Wallet.objects.get(pk=wallet.pk).balance == D("0")


def test_admin_lists_every_wallet_and_searches_by_email(alpha: Tenant, admin: APIClient, funded: Funded) -> None:
    funded(alpha, "ann@alpha.test", balance="1.00")
    funded(alpha, "bob@alpha.test", balance="2.00")
    listed = admin.get(WALLETS, {"page_size": 100}).json()
    found = admin.get(WALLETS, {"search": "bob@"}).json()
    assert {"ann@alpha.test", "bob@alpha.test"} <= {w["user"]["email"] for w in listed["results"]}
    assert [(w["user"]["email"], w["balance"]) for w in found["results"]] == [("bob@alpha.test", "2.00")]


def test_admin_orders_wallets_by_balance(alpha: Tenant, admin: APIClient, funded: Funded) -> None:
    funded(alpha, "rich@alpha.test", balance="900.00")
    funded(alpha, "poor@alpha.test", balance="0.01")
    results = admin.get(WALLETS, {"ordering": "-balance", "page_size": "100"}).json()["results"]
    balances = [D(w["balance"]) for w in results]
    assert balances == sorted(balances, reverse=True)
    assert results[0]["user"]["email"] == "rich@alpha.test"


def test_admin_reads_any_users_wallet_and_ledger(alpha: Tenant, admin: APIClient, funded: Funded) -> None:
    wallet = funded(alpha, "ann@alpha.test", balance="8.00", held="2.00")
    body = admin.get(wallet_url(wallet.user_id)).json()
    assert (body["balance"], body["held_balance"]) == ("8.00", "2.00")
    kinds = [e["kind"] for e in admin.get(wallet_url(wallet.user_id, "ledger/")).json()["results"]]
    assert kinds == ["escrow_hold", "top_up"]


def test_admin_asking_for_an_unknown_user_gets_not_found(alpha: Tenant, admin: APIClient) -> None:
    response = admin.get(wallet_url(987_654_321))
    assert (response.status_code, error_code(response)) == (404, "not_found")


def test_a_wallet_id_that_is_not_a_number_matches_no_endpoint(alpha: Tenant, admin: APIClient) -> None:
    assert admin.get(f"{WALLETS}ann/").status_code == 404


# --------------------------------------------------------------------------------------------
# Admin changes
# --------------------------------------------------------------------------------------------


def test_admin_tops_up_a_users_wallet(alpha: Tenant, admin: APIClient, make_user: MakeUser) -> None:
    # given: a user who never opened their wallet
    user = make_user(alpha, "ann@alpha.test")
    # when
    response = admin.post(wallet_url(user.pk, "top-up/"), {"amount": "25.50", "memo": "bank transfer"})
    # then
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["balance_delta"], response.json()["balance_after"]) == (
        "top_up",
        "25.50",
        "25.50",
    )
    with tenant_context(alpha):
        wallet = Wallet.objects.get(user=user)
        assert wallet.balance == D("25.50")
        actor = LedgerEntry.objects.get(wallet=wallet).actor
        assert actor is not None and actor.email == "admin@alpha.test"


def test_an_admin_top_up_retried_with_its_reference_credits_once(
    alpha: Tenant, admin: APIClient, make_user: MakeUser
) -> None:
    user = make_user(alpha, "ann@alpha.test")
    body = {"amount": "10.00", "reference": "bank:2026-11-21:17"}
    first = admin.post(wallet_url(user.pk, "top-up/"), body)
    again = admin.post(wallet_url(user.pk, "top-up/"), body)
    assert first.json()["id"] == again.json()["id"]
    with tenant_context(alpha):
        assert Wallet.objects.get(user=user).balance == D("10.00")


def test_admin_adjusts_a_balance_down_with_a_reason(alpha: Tenant, admin: APIClient, funded: Funded) -> None:
    wallet = funded(alpha, "ann@alpha.test", balance="30.00")
    response = admin.post(wallet_url(wallet.user_id, "adjust/"), {"amount": "-12.00", "reason": "duplicate"})
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["balance_after"], response.json()["memo"]) == (
        "adjustment",
        "18.00",
        "duplicate",
    )


def test_an_adjustment_below_zero_is_a_conflict(alpha: Tenant, admin: APIClient, funded: Funded) -> None:
    wallet = funded(alpha, "ann@alpha.test", balance="5.00")
    response = admin.post(wallet_url(wallet.user_id, "adjust/"), {"amount": "-5.01", "reason": "too much"})
    assert (response.status_code, error_code(response)) == (409, "insufficient_funds")
    assert response.json()["error"]["details"] == {"user_id": wallet.user_id}


@pytest.mark.parametrize(
    ("suffix", "body", "code"),
    [
        ("top-up/", {"amount": "0"}, "invalid_amount"),
        ("top-up/", {"amount": "-3.00"}, "invalid_amount"),
        ("adjust/", {"amount": "0.00", "reason": "zero"}, "invalid_amount"),
        ("top-up/", {"amount": "1.005"}, "validation_error"),
        ("top-up/", {"amount": "lots"}, "validation_error"),
        ("top-up/", {}, "validation_error"),
        ("adjust/", {"amount": "1.00"}, "validation_error"),
        ("adjust/", {"amount": "1.00", "reason": ""}, "validation_error"),
    ],
)
def test_malformed_admin_changes_are_refused_with_400(
    alpha: Tenant, admin: APIClient, funded: Funded, suffix: str, body: dict[str, str], code: str
) -> None:
    wallet = funded(alpha, "ann@alpha.test", balance="5.00")
    response = admin.post(wallet_url(wallet.user_id, suffix), body)
    assert (response.status_code, error_code(response)) == (400, code)
    with tenant_context(alpha):
        assert Wallet.objects.get(pk=wallet.pk).balance == D("5.00")
