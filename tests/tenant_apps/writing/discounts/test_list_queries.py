"""The discounts lists (all discounts, a discount's uses, the running campaigns) run a fixed number
of queries, however many rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.writing.pricing.models import OrderOption
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.discounts.conftest import DISCOUNTS, make_discount
from tests.tenant_apps.writing.orders.conftest import ORDERS, order_body


def _add(writing: Writing, n: int, code: str) -> None:
    with tenant_context(writing.tenant):
        options = list(OrderOption.objects.filter(group="academic_level"))
    for index in range(n):
        make_discount(writing, code=f"{code}-{index}", options=options)
        make_discount(writing, campaign=True, name=f"Campaign {code}-{index}")
        response = writing.client("cleo").post(ORDERS, order_body(discount_code="SHARED"), format="json")
        assert response.status_code == 201, response.json()


def _queries(writing: Writing, who: str | None, path: str) -> int:
    client = writing.client(who)
    client.get(path)  # warm: the login's own lookups
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_listing_more_discounts_and_uses_runs_no_more_queries(writing: Writing) -> None:
    # given: a shared code used by each order
    shared = make_discount(writing, code="SHARED")
    paths = [("admin", DISCOUNTS), ("admin", f"{DISCOUNTS}{shared.pk}/uses/"), (None, f"{DISCOUNTS}running/")]
    _add(writing, 1, "A")
    few = [_queries(writing, who, path) for who, path in paths]
    # when
    _add(writing, 4, "B")
    many = [_queries(writing, who, path) for who, path in paths]
    # then
    assert many == few
