"""Isolation between store sites (``gamma`` and ``delta``): one site's returns are never reachable
from the other, by list, id or action, and its tokens are refused there."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tests.factories import ReturnRequestFactory
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.store.conftest import Store, make_store
from tests.tenant_apps.store.returns.conftest import RETURNS, order_of, return_url


def test_returns_of_one_store_are_unreachable_from_another(
    store: Store, delta: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given: a return in gamma; the people of delta (which has no returns)
    with tenant_context(store.tenant):
        made = ReturnRequestFactory(
            order=order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)]), inspected=True
        )
        item = made.items.get()
    other = make_store(delta, client_for, login)
    # when / then: delta's admin and customer see none of it, and cannot act on it
    for who in ("admin", "cal"):
        client = other.client(who)
        assert client.get(RETURNS).json()["results"] == []
        assert client.get(return_url(made.pk)).status_code == 404
    for action, action_body in (("receive", {}), ("approve", {}), ("reject", {"reason": "x"})):
        assert other.client("admin").post(return_url(made.pk, action), action_body, format="json").status_code == 404
    # gamma's order cannot be returned from delta
    body = {"order": made.order_id, "items": [{"order_item": item.order_item_id, "quantity": 1}], "reason": "x"}
    assert other.client("cal").post(RETURNS, body, format="json").status_code == 404
    # and gamma's token is refused on delta
    gamma_token = login(store.tenant, store.cal.email)["access"]
    assert client_for(delta, gamma_token).get(RETURNS).status_code == 401
    with tenant_context(store.tenant):
        made.refresh_from_db()
        assert made.status == "inspected"
