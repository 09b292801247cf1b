"""Attacks on the writing orders app: another user's order (IDOR), another site's ids (golf's on
hotel), mass assignment at placement, and bodies of the wrong shape.

The site is ``golf`` with the people of ``make_writing``. The victim: carl's order, assigned to
will, whose topic carries ``SECRET``. Attackers: client ``cleo``, writer ``wren`` (not its
writer), editor ``eddie`` (it is not in review), anonymous, and hotel's admin sending golf's ids to
hotel. Each gets exactly the answer a nonexistent id gets, never the secret, and nothing changes.

Mass assignment: the status, price, currency, client, writer and invoice of an order are not the
client's to set: placing ignores them and the stored order shows none of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context
from rest_framework.test import APIClient

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.orders.models import Order
from tests.api import error_code
from tests.factories import OrderFactory
from tests.fixture_types import ClientFor, JsonResponse, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.orders.conftest import ORDERS, order_body

SECRET = "golf-order-secret-7d2e"
MISSING_INT = 987_654_321
NOT_FOUND = (404, "not_found")
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", None]

#: (method, path with {order}, body): every endpoint taking an order id.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/orders/{order}/", None),
    ("post", "/api/v1/orders/{order}/pay/wallet/", None),
    ("post", "/api/v1/orders/{order}/pay/card/", None),
    ("post", "/api/v1/orders/{order}/request/", None),
    ("get", "/api/v1/orders/{order}/requests/", None),
    ("post", "/api/v1/orders/{order}/assign/", {"writer": 1}),
    ("post", "/api/v1/orders/{order}/start/", None),
    ("post", "/api/v1/orders/{order}/submit/", None),
    ("post", "/api/v1/orders/{order}/return/", {"notes": "x"}),
    ("post", "/api/v1/orders/{order}/deliver/", None),
    ("post", "/api/v1/orders/{order}/approve/", None),
    ("post", "/api/v1/orders/{order}/revision/", {"instructions": "x"}),
    ("post", "/api/v1/orders/{order}/cancel/", {"reason": "x"}),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victim(writing: Writing) -> Order:
    with tenant_context(writing.tenant):
        return OrderFactory(client=writing.carl, writer=writing.will, topic=f"Thesis {SECRET}", assigned=True)


def send(client: APIClient, method: str, path: str, pk: int, body: dict[str, Any] | None) -> JsonResponse:
    url = path.format(order=pk)
    if body is not None:
        return getattr(client, method)(url, body, format="json")  # type: ignore[no-any-return]
    return getattr(client, method)(url)  # type: ignore[no-any-return]


def answer(response: JsonResponse) -> tuple[int, str]:
    return response.status_code, error_code(response)


def state_of(writing: Writing, order: Order) -> Any:
    with tenant_context(writing.tenant):
        return list(Order.objects.filter(pk=order.pk).values())


@pytest.mark.parametrize("attacker", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_another_users_order_answers_like_a_nonexistent_one(
    writing: Writing, victim: Order, attacker: str | None, method: str, path: str, body: dict[str, Any] | None
) -> None:
    # given carl's order, assigned to will
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
def test_the_list_shows_nothing_of_another_users_order(writing: Writing, victim: Order, attacker: str | None) -> None:
    response = writing.client(attacker).get(ORDERS)
    assert SECRET not in response.content.decode()


@pytest.fixture
def hotel_admin(hotel: Tenant, client_for: ClientFor, login: Login) -> APIClient:
    return client_for(hotel, login(hotel, "admin@hotel.test")["access"])


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m}-{p}" for m, p, _ in ENDPOINTS])
def test_golfs_ids_on_hotel_never_reach_golfs_orders(
    writing: Writing, victim: Order, hotel_admin: APIClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = state_of(writing, victim)
    response = send(hotel_admin, method, path, victim.pk, body)
    nonexistent = send(hotel_admin, method, path, MISSING_INT, body)
    assert answer(response) == answer(nonexistent), response.content
    assert response.status_code in {400, 403, 404}  # assign validates the writer (hotel has no user 1 writer)
    assert SECRET not in response.content.decode()
    assert state_of(writing, victim) == before
    listed = hotel_admin.get(ORDERS)
    assert listed.status_code == 200 and SECRET not in listed.content.decode()


def test_placing_ignores_status_price_people_and_invoice(writing: Writing, victim: Order) -> None:
    # when: cleo sends what is not hers to set
    forged = order_body(
        status="completed",
        total="0.01",
        subtotal="0.01",
        price_per_page="0.01",
        currency="JPY",
        client=writing.carl.pk,
        writer=writing.wren.pk,
        editor=writing.eddie.pk,
        invoice=victim.invoice_id,
        earning="999.00",
        paid_at="2020-01-01T00:00:00Z",
        revision_count=9,
        number="WO-00000000",
    )
    response = writing.client("cleo").post(ORDERS, forged, format="json")
    # then: priced by the table, hers, unpaid, with a new invoice
    assert response.status_code == 201, response.content
    body = response.json()
    with tenant_context(writing.tenant):
        stored = Order.objects.get(pk=body["id"])
    assert (stored.status, stored.total, stored.currency, stored.client_id) == ("unpaid", 24, "USD", writing.cleo.pk)
    assert (stored.writer_id, stored.editor_id, stored.paid_at, stored.revision_count) == (None, None, None, 0)
    assert stored.invoice_id != victim.invoice_id and stored.number != "WO-00000000" and stored.earning == 0


BAD_BODIES: list[dict[str, Any]] = [
    {"pages": "two"},
    {"pages": -1},
    {"pages": 10**12},
    {"pages": True},
    {"pages": 2.5},
    {"spacing": "triple"},
    {"topic": 12345},
    {"topic": ""},
    {"topic": "x" * 301},
    {"topic": None},
    {"deadline": 1234567890},
    {"deadline": "2000-01-01T00:00:00Z"},
    {"deadline": "not a date"},
    {"academic_level": "undergraduate\x00"},
    {"academic_level": ["undergraduate"]},
    {"extras": "plagiarism-report"},
    {"extras": [{"slug": "x"}]},
    {"extras": ["plagiarism-report", "plagiarism-report"]},
    {"sources": -3},
    {"sources": "many"},
    {"instructions": {"a": 1}},
    {"instructions": "x" * 20001},
]


@pytest.mark.parametrize("bad", BAD_BODIES, ids=[str(sorted(b))[:40] + str(i) for i, b in enumerate(BAD_BODIES)])
def test_a_body_of_the_wrong_shape_is_a_400_naming_the_field(writing: Writing, bad: dict[str, Any]) -> None:
    response = writing.client("cleo").post(ORDERS, order_body(**bad), format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) == "validation_error"
    assert set(response.json()["error"].get("details", {})) & set(bad), response.content


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("assign/", {"writer": "wren"}),
        ("assign/", {"writer": -1}),
        ("assign/", {"writer": None}),
        ("assign/", []),
        ("return/", {"notes": ""}),
        ("return/", {"notes": 5}),
        ("revision/", {"instructions": ["x"]}),
        ("cancel/", {"reason": "x" * 2001}),
    ],
)
def test_action_bodies_of_the_wrong_shape_are_400(writing: Writing, action: str, body: Any) -> None:
    with tenant_context(writing.tenant):
        order = OrderFactory(client=writing.cleo, writer=writing.wren, in_review=True)
    who = {"assign/": "admin", "return/": "eddie", "revision/": "cleo", "cancel/": "admin"}[action]
    response = writing.client(who).post(f"{ORDERS}{order.pk}/{action}", body, format="json")
    assert response.status_code == 400, response.content
    assert error_code(response) in {"validation_error", "parse_error"}


def test_a_settings_update_of_the_wrong_shape_is_a_400(writing: Writing) -> None:
    for body in (
        {"assignment_mode": "lottery"},
        {"earning_mode": "royalty"},
        {"earning_mode": 1},
        {"earning_mode": None},
        {"free_revision_days": -1},
    ):
        response = writing.client("admin").patch(f"{ORDERS}settings/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert error_code(response) == "validation_error"
