"""Attacks on the writing special orders app: another user's special order (IDOR), another site's
ids (golf's on hotel), mass assignment at request and quote, and bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: carl's special order in
progress, assigned to will, whose title carries ``SECRET``. Attackers: client ``cleo``, writer
``wren`` (not its writer), editor ``eddie``, anonymous, and hotel's admin sending golf's ids to
hotel. Each gets exactly the answer a nonexistent id gets, never the secret, and nothing changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.special_orders.models import Installment, SpecialOrder
from tests.api import error_code
from tests.factories import SpecialOrderFactory
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.special_orders.conftest import SPECIAL, quote_body

SECRET = "golf-special-secret-4b1c"
MISSING_INT = 987_654_321
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", None]

#: (method, path with {special}, body): every endpoint taking a special order id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/special-orders/{special}/", None),
    ("post", "/api/v1/special-orders/{special}/quote/", quote_body()),
    ("post", "/api/v1/special-orders/{special}/accept/", None),
    ("post", "/api/v1/special-orders/{special}/decline/", {"reason": "x"}),
    ("post", "/api/v1/special-orders/{special}/cancel/", {"reason": "x"}),
    ("post", "/api/v1/special-orders/{special}/start/", {}),
    ("post", "/api/v1/special-orders/{special}/complete/", None),
    ("post", "/api/v1/special-orders/{special}/installments/2/pay/wallet/", None),
    ("post", "/api/v1/special-orders/{special}/installments/2/pay/card/", None),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> SpecialOrder:
    with tenant_context(writing.tenant):
        return SpecialOrderFactory(client=writing.carl, writer=writing.will, title=f"Thesis {SECRET}", in_progress=True)


def send(client: APIClient, method: str, path: str, pk: int, body: dict[str, Any] | None) -> JsonResponse:
    url = path.format(special=pk)
    if body is not None:
        return getattr(client, method)(url, body, format="json")  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(writing: Writing, special: SpecialOrder) -> Any:
    with tenant_context(writing.tenant):
        return (
            list(SpecialOrder.objects.filter(pk=special.pk).values()),
            list(Installment.objects.filter(special_order_id=special.pk).values()),
        )


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_another_users_special_order_answers_like_a_nonexistent_one(
    writing: Writing,
    victim: SpecialOrder,
    attacker: str | None,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given carl's special order, assigned to will
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
def test_the_list_shows_nothing_of_another_users_special_order(
    writing: Writing, victim: SpecialOrder, attacker: str | None
) -> None:
    response = writing.client(attacker).get(SPECIAL)
    assert SECRET not in response.content.decode()


@pytest.fixture
def hotel_admin(hotel: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(hotel, login(hotel, "admin@hotel.test")["access"])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_golfs_ids_on_hotel_never_reach_golfs_special_orders(
    writing: Writing,
    victim: SpecialOrder,
    hotel_admin: APIClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = state_of(writing, victim)
    response = send(hotel_admin, method, path, victim.pk, body)
    nonexistent = send(hotel_admin, method, path, MISSING_INT, body)
    assert answer(response) == answer(nonexistent), response.content
    assert response.status_code in {403, 404}
    assert SECRET not in response.content.decode()
    assert state_of(writing, victim) == before


def test_requesting_ignores_status_money_people(writing: Writing, victim: SpecialOrder) -> None:
    # when: cleo sends what is not hers to set
    forged = {
        "title": "Mine",
        "status": "completed",
        "total": "0.01",
        "currency": "JPY",
        "client": writing.carl.pk,
        "writer": writing.wren.pk,
        "admin_note": "free",
        "installments": [{"amount": "0.01", "due_date": "2030-01-01"}],
        "completed_at": "2020-01-01T00:00:00Z",
    }
    response = writing.client("cleo").post(SPECIAL, forged, format="json")
    # then: a plain request of hers, stored so
    assert response.status_code == 201, response.content
    with tenant_context(writing.tenant):
        stored = SpecialOrder.objects.get(pk=response.json()["id"])
        assert not Installment.objects.filter(special_order=stored).exists()
    assert (stored.status, stored.total, stored.currency, stored.client_id) == ("requested", None, "", writing.cleo.pk)
    assert (stored.writer_id, stored.admin_note, stored.completed_at) == (None, "", None)


def test_quoting_ignores_the_currency_status_and_client(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        special = SpecialOrderFactory(client=writing.cleo)
    body = quote_body(currency="JPY", status="completed", client=writing.carl.pk, quoted_at="2020-01-01T00:00:00Z")
    response = writing.client("admin").post(f"{SPECIAL}{special.pk}/quote/", body, format="json")
    assert response.status_code == 200, response.content
    with tenant_context(writing.tenant):
        stored = SpecialOrder.objects.get(pk=special.pk)
    assert (stored.status, stored.currency, stored.client_id) == ("quoted", "USD", writing.cleo.pk)
    assert stored.quoted_at is not None and stored.quoted_at.year >= 2026


BAD_REQUESTS: list[dict[str, Any]] = [
    {"title": ""},
    {"title": "x" * 201},
    {"title": None},
    {"title": ["x"]},
    {"title": "ok", "description": {"a": 1}},
    {"title": "ok", "description": "x" * 20001},
    {"title": "ok", "deadline": "not a date"},
    {"title": "ok", "deadline": "2000-01-01T00:00:00Z"},
]


@pytest.mark.parametrize("bad", BAD_REQUESTS, ids=[str(i) for i in range(len(BAD_REQUESTS))])
def test_a_request_of_the_wrong_shape_is_a_400_naming_the_field(writing: Writing, bad: dict[str, Any]) -> None:
    response = writing.client("cleo").post(SPECIAL, bad, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert set(response.json()["error"].get("details", {})) & set(bad), response.content


def _past() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


BAD_QUOTES: list[Any] = [
    {"total": 100, "installments": [{"amount": "100.00", "due_date": "2030-01-01"}]},
    {"total": "-5.00", "installments": [{"amount": "-5.00", "due_date": "2030-01-01"}]},
    {"total": "1e3", "installments": [{"amount": "1e3", "due_date": "2030-01-01"}]},
    {"total": "100.00", "installments": []},
    {"total": "100.00", "installments": "all at once"},
    {"total": "100.00", "installments": [{"amount": "100.00"}]},
    {"total": "100.00", "installments": [{"amount": "100.00", "due_date": "soon"}]},
    {"total": "100.00", "installments": [{"amount": "100.00", "due_date": "2030-01-01"}], "writer": "wren"},
    {"total": "100.00", "installments": [{"amount": "100.00", "due_date": "2030-01-01"}], "writer": MISSING_INT},
    {"total": "99999999999.00", "installments": [{"amount": "99999999999.00", "due_date": "2030-01-01"}]},
    [],
]


@pytest.mark.parametrize("bad", BAD_QUOTES, ids=[str(i) for i in range(len(BAD_QUOTES))])
def test_a_quote_of_the_wrong_shape_is_a_400(writing: Writing, bad: Any) -> None:
    with tenant_context(writing.tenant):
        special = SpecialOrderFactory(client=writing.cleo)
    response = writing.client("admin").post(f"{SPECIAL}{special.pk}/quote/", bad, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"validation_error", "invalid_amount"}
    with tenant_context(writing.tenant):
        assert SpecialOrder.objects.get(pk=special.pk).status == "requested"
