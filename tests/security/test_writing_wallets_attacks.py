"""Attacks on the writing wallets app: another writer's payout request (IDOR), another site's ids
(golf's on hotel), mass assignment of a payout's or a top-up's status, people and currency, and
bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: will's paid payout request,
whose transfer reference carries ``SECRET``. Attackers: client ``cleo``, writer ``wren`` (not its
writer), editor ``eddie``, support ``sue``, anonymous, and hotel's admin sending golf's ids to
hotel. Each gets exactly the answer a nonexistent id gets, never the secret, and nothing changes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.wallet.selectors import wallet_of
from tenant_apps.writing.wallets.models import PayoutRequest
from tests.api import error_code
from tests.factories.writing_wallets import PayoutRequestFactory
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-payout-secret-91ac"
MISSING_INT = 987_654_321
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", "sue", None]
PAYOUTS = "/api/v1/payouts/"
TOP_UPS = "/api/v1/wallet/top-ups/"

#: (method, path with {payout}, body): every endpoint taking a payout request's id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/payouts/{payout}/", None),
    ("post", "/api/v1/payouts/{payout}/approve/", {}),
    ("post", "/api/v1/payouts/{payout}/reject/", {"note": "x"}),
    ("post", "/api/v1/payouts/{payout}/mark-paid/", {"reference": "x"}),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> PayoutRequest:
    with tenant_context(writing.tenant):
        return PayoutRequestFactory(writer=writing.will, reference=f"T-{SECRET}", paid=True)


def send(client: APIClient, method: str, path: str, pk: int, body: dict[str, Any] | None) -> JsonResponse:
    url = path.format(payout=pk)
    if body is not None:
        return getattr(client, method)(url, body, format="json")  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(writing: Writing, payout: PayoutRequest) -> Any:
    with tenant_context(writing.tenant):
        wallet = wallet_of(user=writing.will)
        return list(PayoutRequest.objects.filter(pk=payout.pk).values()), wallet.balance, wallet.held_balance


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_another_writers_payout_answers_like_a_nonexistent_one(
    writing: Writing,
    victim: PayoutRequest,
    attacker: str | None,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given will's paid request
    before = state_of(writing, victim)
    client = writing.client(attacker)
    # when the attacker uses its id, then one that does not exist
    response = send(client, method, path, victim.pk, body)
    nonexistent = send(client, method, path, MISSING_INT, body)
    # then the same answer, no secret, no change
    assert answer(response) == answer(nonexistent), response.content
    assert response.status_code in {401, 403, 404}
    assert SECRET not in response.content.decode()
    assert state_of(writing, victim) == before


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_the_lists_show_nothing_of_another_writers_payout(
    writing: Writing, victim: PayoutRequest, attacker: str | None
) -> None:
    for url in (PAYOUTS, TOP_UPS):
        assert SECRET not in writing.client(attacker).get(url).content.decode()


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_golfs_ids_on_hotel_never_reach_golfs_payouts(
    writing: Writing,
    victim: PayoutRequest,
    hotel: Tenant,
    client_for: ClientFor,
    login: Login,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    hotel_admin = client_for(hotel, login(hotel, "admin@hotel.test")["access"])
    before = state_of(writing, victim)
    response = send(hotel_admin, method, path, victim.pk, body)
    nonexistent = send(hotel_admin, method, path, MISSING_INT, body)
    assert answer(response) == answer(nonexistent) == (404, "not_found"), response.content
    assert SECRET not in hotel_admin.get(PAYOUTS).content.decode()
    assert state_of(writing, victim) == before


def test_asking_for_a_payout_ignores_status_people_currency_and_reference(writing: Writing) -> None:
    # given: wren holds 50.00
    with tenant_context(writing.tenant):
        PayoutRequestFactory(writer=writing.wren, amount="10.00", earned="60.00", rejected=True)
    # when: she sends what is not hers to set
    forged = {
        "amount": "20.00",
        "status": "paid",
        "writer": writing.will.pk,
        "currency": "JPY",
        "reference": "FORGED",
        "decided_by": writing.admin.pk,
        "paid_at": "2020-01-01T00:00:00Z",
    }
    response = writing.client("wren").post(PAYOUTS, forged, format="json")
    # then: hers, requested, in her wallet's currency, nothing decided
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = PayoutRequest.objects.get(pk=response.json()["id"])
    assert (stored.writer_id, stored.status, stored.currency, stored.amount) == (
        writing.wren.pk,
        "requested",
        "USD",
        Decimal("20.00"),
    )
    assert (stored.reference, stored.decided_by_id, stored.paid_at) == ("", None, None)


BAD_AMOUNTS: list[Any] = [{}, {"amount": "twenty"}, {"amount": None}, {"amount": []}, {"amount": "1e2"}, []]


@pytest.mark.parametrize("url", [PAYOUTS, TOP_UPS])
@pytest.mark.parametrize("bad", BAD_AMOUNTS, ids=[str(i) for i in range(len(BAD_AMOUNTS))])
def test_an_amount_of_the_wrong_shape_is_a_400(writing: Writing, url: str, bad: Any) -> None:
    who = "wren" if url == PAYOUTS else "cleo"
    response = writing.client(who).post(url, bad, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"validation_error", "parse_error"}


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("approve/", {"note": 5}),
        ("approve/", {"note": "x" * 2001}),
        ("reject/", {"note": ["x"]}),
        ("reject/", []),
        ("mark-paid/", {"reference": {"a": 1}}),
        ("mark-paid/", {"reference": "x" * 101}),
    ],
)
def test_decision_bodies_of_the_wrong_shape_are_400(writing: Writing, action: str, body: Any) -> None:
    with tenant_context(writing.tenant):
        payout = PayoutRequestFactory(writer=writing.wren, approved=action == "mark-paid/")
    response = writing.client("admin").post(f"{PAYOUTS}{payout.pk}/{action}", body, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"validation_error", "parse_error"}
