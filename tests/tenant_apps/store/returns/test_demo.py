"""The returns demo seeder asks for a return of each delivered order of a buyer, once."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.store.returns.demo import seed_returns_demo
from tests.tenant_apps.store.conftest import Store
from tests.tenant_apps.store.returns.conftest import order_of


def test_the_demo_requests_one_return_per_delivered_order_once(store: Store) -> None:
    with tenant_context(store.tenant):
        # given: a delivered and a shipped order
        delivered = order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 2)])
        order_of(buyer=store.cal, courier=store.dave, lines=[(store.sam, "10.00", 1)], to="shipped")
        # when
        first = seed_returns_demo(buyer=store.cal)
        again = seed_returns_demo(buyer=store.cal)
        # then
        assert [(r.order_id, r.status, r.items.get().quantity) for r in first] == [(delivered.pk, "requested", 1)]
        assert again == []
