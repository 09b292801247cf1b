"""Who sees and does what with orders: a role matrix over every endpoint, what writers and editors
see of the client, the list's scope per role and its filters, tickets about an order.

The order of each row is cleo's, in the status where the endpoint acts, with ``wren`` its writer
and ``eddie`` the editor who handles it; ``carl`` is another client, ``will`` another writer, ``sue``
support. An order someone may not see answers 404 like a missing one; a rule on an order they see
answers 403. Online payments are off in tests: the client who may pay by card meets the 503.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import tenant_context

from tenant_apps.writing.orders.access import can_link_ticket
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import ORDERS, error_code, make_order, order_body, order_url

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)

#: endpoint -> (status of the order, method, action, body)
ENDPOINTS: dict[str, tuple[str, str, str | None, dict[str, Any] | None]] = {
    "list": ("unpaid", "get", None, None),
    "create": ("unpaid", "post", None, None),
    "detail": ("assigned", "get", "", None),
    "detail_of_the_pool": ("available", "get", "", None),
    "pay_wallet": ("unpaid", "post", "pay/wallet/", None),
    "pay_card": ("unpaid", "post", "pay/card/", None),
    "request": ("available", "post", "request/", None),
    "requests": ("available", "get", "requests/", None),
    "assign": ("available", "post", "assign/", {"writer": "wren"}),
    "start": ("assigned", "post", "start/", None),
    "submit": ("in_progress", "post", "submit/", None),
    "return": ("in_review", "post", "return/", {"notes": "More."}),
    "deliver": ("in_review", "post", "deliver/", None),
    "approve": ("delivered", "post", "approve/", None),
    "revision": ("delivered", "post", "revision/", {"instructions": "More."}),
    "cancel": ("unpaid", "post", "cancel/", {"reason": "matrix"}),
    "dispute": ("delivered", "post", "dispute/", {"reason": "Wrong topic."}),
    "resolve": ("disputed", "post", "resolve/", {"outcome": "cancelled", "note": "matrix"}),
    "refunds": ("disputed", "get", "refunds/", None),
    "refund": ("disputed", "post", "refunds/", {"amount": "5.00", "reason": "matrix"}),
    "settings": ("unpaid", "get", "settings", None),
    "settings_update": ("unpaid", "patch", "settings", {"free_revision_days": 3}),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                      cleo carl wren will eddie sue admin anonymous
    "list": (200, 200, 200, 200, 200, 200, 200, 401),
    "create": (201, 201, 403, 403, 403, 403, 403, 401),
    "detail": (200, 404, 200, 404, 404, 200, 200, 401),
    "detail_of_the_pool": (200, 404, 200, 200, 404, 200, 200, 401),
    "pay_wallet": (402, 404, 404, 404, 404, 403, 403, 401),
    "pay_card": (503, 404, 404, 404, 404, 403, 403, 401),
    "request": (403, 403, 200, 200, 403, 403, 403, 401),
    "requests": (403, 403, 403, 403, 403, 403, 200, 401),
    "assign": (403, 403, 403, 403, 403, 403, 200, 401),
    "start": (403, 404, 200, 404, 404, 403, 403, 401),
    "submit": (403, 404, 200, 404, 404, 403, 403, 401),
    "return": (403, 404, 403, 404, 200, 403, 200, 401),
    "deliver": (403, 404, 403, 404, 200, 403, 200, 401),
    "approve": (200, 404, 403, 404, 403, 403, 403, 401),
    "revision": (200, 404, 403, 404, 403, 403, 403, 401),
    "cancel": (200, 404, 404, 404, 404, 403, 200, 401),
    "dispute": (200, 404, 403, 404, 403, 403, 403, 401),
    "resolve": (403, 403, 403, 403, 403, 403, 200, 401),
    "refunds": (200, 404, 403, 404, 403, 200, 200, 401),
    "refund": (403, 403, 403, 403, 403, 403, 201, 401),
    "settings": (403, 403, 403, 403, 403, 403, 200, 401),
    "settings_update": (403, 403, 403, 403, 403, 403, 200, 401),
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    status, method, action, body = ENDPOINTS[endpoint]
    order = make_order(writing, status)
    client = writing.client(who)
    if endpoint == "create":
        response = client.post(ORDERS, order_body(), format="json")
    elif action is None:
        response = client.get(ORDERS)
    elif action == "settings":
        response = getattr(client, method)(f"{ORDERS}settings/", body, format="json")
    else:
        data = dict(body or {})
        if data.get("writer") == "wren":
            data["writer"] = writing.wren.pk
        response = getattr(client, method)(order_url(order.pk, action), data, format="json")
    assert response.status_code < 500 or response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    assert _call(writing, who, endpoint) == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who]


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    from tenant_apps.writing.orders.urls import urlpatterns

    assert len(urlpatterns) == len({action for _, _, action, _ in ENDPOINTS.values()})


def test_each_sees_only_the_orders_theirs_to_see(writing: Writing) -> None:
    # given: cleo's unpaid, available, assigned (wren), in-review (wren) and completed (will, by eddie) orders
    unpaid = make_order(writing)
    pool = make_order(writing, "available")
    assigned = make_order(writing, "assigned")
    review = make_order(writing, "in_review")
    done = make_order(writing, "completed", writer=writing.will)
    everything = {unpaid.pk, pool.pk, assigned.pk, review.pk, done.pk}

    def seen(who: str) -> set[int]:
        return {o["id"] for o in writing.client(who).get(ORDERS).json()["results"]}

    # then
    assert seen("cleo") == everything
    assert seen("carl") == set()
    assert seen("wren") == {pool.pk, assigned.pk, review.pk}
    assert seen("will") == {pool.pk, done.pk}
    assert seen("eddie") == {review.pk, done.pk}
    assert seen("sue") == seen("admin") == everything


def test_writers_and_editors_never_see_who_the_client_is(writing: Writing) -> None:
    # given
    pool = make_order(writing, "available")
    review = make_order(writing, "in_review")
    # then
    for who, order in (("wren", pool), ("will", pool), ("wren", review), ("eddie", review)):
        detail = writing.client(who).get(order_url(order.pk)).json()
        listed = next(o for o in writing.client(who).get(ORDERS).json()["results"] if o["id"] == order.pk)
        for body in (detail, listed):
            assert (body["client"], body["invoice_number"]) == (None, None)
            assert "Cleo" not in str(body) and "cleo@" not in str(body)
    for who in ("cleo", "sue", "admin"):
        assert writing.client(who).get(order_url(pool.pk)).json()["client"]["full_name"] == "Cleo Client"


def test_the_list_filters_by_status_level_and_deadline_and_orders(writing: Writing) -> None:
    # given
    unpaid = make_order(writing)
    pool = make_order(writing, "available")

    def ids(**query: Any) -> list[int]:
        response = writing.client("admin").get(ORDERS, query)
        assert response.status_code == 200, response.content
        return [o["id"] for o in response.json()["results"]]

    # then
    assert ids(status="available") == [pool.pk]
    assert sorted(ids(status=["available", "unpaid"])) == sorted([unpaid.pk, pool.pk])
    assert sorted(ids(academic_level=str(pool.academic_level_id))) == sorted([unpaid.pk, pool.pk])
    assert ids(deadline_before="2000-01-01T00:00:00Z") == []
    assert ids(ordering="created_at") == [unpaid.pk, pool.pk]
    for bad in ({"status": "lost"}, {"academic_level": "x"}, {"deadline_after": "tomorrow"}, {"ordering": "client"}):
        response = writing.client("admin").get(ORDERS, bad)
        assert response.status_code == 400, bad
        assert error_code(response) == "validation_error"


def test_a_ticket_about_an_order_is_for_those_who_see_it(writing: Writing) -> None:
    order = make_order(writing, "assigned")
    with tenant_context(writing.tenant):
        assert can_link_ticket(writing.cleo, order) and can_link_ticket(writing.wren, order)
        assert not can_link_ticket(writing.carl, order) and not can_link_ticket(writing.will, order)
