"""The role matrix of every returns endpoint, through the API: each role is tried on every row.

Roles: anonymous, customer (cal, the buyer), other customer (cora), seller (sam, who sold the
returned item), other seller (sid), delivery holding the order (dave), delivery not holding it
(dina), admin. A role that may act gets a 2xx; one that sees the return but may not act 403; one
that may not see it 404; anonymous 401. Every try gets a fresh return in the state its action needs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tests.factories import ReturnRequestFactory
from tests.fixture_types import ApiResponse
from tests.tenant_apps.store.conftest import Store
from tests.tenant_apps.store.returns.conftest import RETURNS, order_of, return_url

ROLES = {
    "anonymous": None,
    "customer": "cal",
    "other_customer": "cora",
    "seller": "sam",
    "other_seller": "sid",
    "delivery_holding": "dave",
    "delivery_not_holding": "dina",
    "admin": "admin",
}
#: Who sees cal's return of sam's item delivered by dave.
SEES = {"customer", "seller", "delivery_holding", "admin"}

# action -> the roles that may take it (a 2xx)
MATRIX: dict[str, set[str]] = {
    "list": set(ROLES) - {"anonymous"},
    "read": SEES,
    "create": {"customer"},
    "receive": {"delivery_holding", "admin"},
    "inspect": {"delivery_holding", "admin"},
    "approve": {"admin"},
    "reject": {"admin"},
}
#: The state each action starts from.
START = {
    "read": "requested",
    "receive": "requested",
    "inspect": "received",
    "approve": "inspected",
    "reject": "requested",
}


def _act(store: Store, client: Any, action: str) -> ApiResponse:
    with tenant_context(store.tenant):
        order = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)])
        made = ReturnRequestFactory(order=order, status=START[action]) if action in START else None
        row = made.items.get() if made is not None else None
        item = order.items.get()
    if action == "list":
        return client.get(RETURNS)
    if action == "create":
        body = {"order": order.pk, "items": [{"order_item": item.pk, "quantity": 1}], "reason": "Matrix."}
        return client.post(RETURNS, body, format="json")
    assert made is not None and row is not None
    if action == "read":
        return client.get(return_url(made.pk))
    bodies: dict[str, dict[str, Any]] = {
        "receive": {},
        "inspect": {"items": [{"id": row.pk, "condition": "resellable"}]},
        "approve": {"penalty_points": 1},
        "reject": {"reason": "Matrix."},
    }
    return client.post(return_url(made.pk, action), bodies[action], format="json")


@pytest.mark.parametrize("action", MATRIX)
def test_role_matrix(store: Store, action: str) -> None:
    for role, name in ROLES.items():
        # when
        response = _act(store, store.client(name), action)
        # then
        if role in MATRIX[action]:
            assert response.status_code < 300, (action, role, response.content)
        elif name is None:
            assert response.status_code == 401, (action, role, response.status_code)
        else:
            # a return seen but not theirs to act on: 403; an order not theirs to return: 404
            expected = 403 if role in SEES and action != "create" else 404
            assert response.status_code == expected, (action, role, response.status_code, response.content)


def test_lists_are_scoped_to_what_each_role_may_see(store: Store) -> None:
    # given: cal's return of sam's item (dave's delivery), cora's of sid's item (dina's delivery)
    with tenant_context(store.tenant):
        mine = ReturnRequestFactory(order=order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "2.00", 1)]))
        theirs = ReturnRequestFactory(
            order=order_of(buyer=store.cora, courier=store.dina, lines=[(store.sid, "3.00", 1)])
        )
    expected = {
        "cal": {mine.pk},
        "cora": {theirs.pk},
        "sam": {mine.pk},
        "sid": {theirs.pk},
        "dave": {mine.pk},
        "dina": {theirs.pk},
        "admin": {mine.pk, theirs.pk},
    }
    for name, ids in expected.items():
        # when
        seen = {r["id"] for r in store.client(name).get(RETURNS).json()["results"]} & {mine.pk, theirs.pk}
        # then
        assert seen == ids, name
