"""Concurrent reviews of one product keep its aggregates exact, on committed data, from threads
with their own connections. A pause is injected where the aggregates are read, so without the
product's lock every racer computes them without the others' rows; the second test takes the
lock away and shows exactly that."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from saas.db.tenant import tenant_connection
from shared_apps.tenancy.models import Tenant
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.reviews import services
from tests.concurrency import in_thread, race
from tests.factories import CustomerFactory, StoreOrderFactory, StoreProductFactory
from tests.tenant_apps.store.conftest import committed_marks, remove_committed_since

RATINGS = (5, 4, 1)


@pytest.fixture
def orders(gamma: Tenant) -> Iterator[dict[str, Any]]:
    """Committed in gamma: one product and three delivered orders of it by three buyers."""
    marks = in_thread(lambda: committed_marks(gamma))

    def setup() -> dict[str, Any]:
        with tenant_context(gamma):
            product = StoreProductFactory(approved=True)
            buyers = [CustomerFactory(email=f"race-reviewer{i}@gamma.test") for i in range(len(RATINGS))]
            return {
                "product": product,
                "orders": [StoreOrderFactory(buyer=b, lines=[(product, 1)], delivered=True) for b in buyers],
            }

    rows = in_thread(setup)
    try:
        yield rows
    finally:
        in_thread(lambda: remove_committed_since(gamma, marks))
        tenant_connection().set_schema_to_public()


def _slow_aggregates(monkeypatch: pytest.MonkeyPatch) -> None:
    real = services._aggregates

    def slow(product_id: int) -> Any:
        found = real(product_id)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(services, "_aggregates", slow)


def _review_all(gamma: Tenant, rows: dict[str, Any]) -> tuple[Decimal, int]:
    def review(order: Any, rating: int) -> Callable[[], Any]:
        return lambda: services.review_create(author=order.buyer, order=order, product=rows["product"], rating=rating)

    outcomes = race([review(o, r) for o, r in zip(rows["orders"], RATINGS, strict=True)], tenant=gamma)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes

    def read() -> tuple[Decimal, int]:
        with tenant_context(gamma):
            product = Product.objects.get(pk=rows["product"].pk)
            return product.avg_rating, product.ratings_count

    return in_thread(read)  # type: ignore[no-any-return]


def test_concurrent_reviews_keep_the_aggregates_exact(
    gamma: Tenant, orders: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    _slow_aggregates(monkeypatch)
    # when
    average, count = _review_all(gamma, orders)
    # then
    assert (average, count) == (Decimal("3.33"), 3)


def test_without_the_product_lock_concurrent_reviews_lose_counts(
    gamma: Tenant, orders: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the lock replaced by a plain read
    _slow_aggregates(monkeypatch)
    monkeypatch.setattr(services, "rated_product_lock", lambda pk: Product.objects.get(pk=pk))
    # when
    _, count = _review_all(gamma, orders)
    # then
    assert count < 3
