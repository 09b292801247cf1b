"""Reviews (issue "The store kind", point 8): only the buyer of a delivered or completed order
reviews a product of it, once per product and order; authors edit and delete their own; the
product's ``avg_rating`` and ``ratings_count`` follow every change."""

from __future__ import annotations

from decimal import Decimal

from django_tenants.utils import tenant_context

from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import Order, OrderStatus
from tests.api import error_code
from tests.factories import StoreOrderFactory, StoreProductFactory
from tests.factories.store_reviews import ReviewFactory
from tests.fixture_types import ApiResponse
from tests.tenant_apps.store.conftest import Store, reload

D = Decimal


def _order(store: Store, status: str = OrderStatus.DELIVERED) -> tuple[Order, Product, Product]:
    with tenant_context(store.tenant):
        one, two = (
            StoreProductFactory(seller=store.sam, approved=True),
            StoreProductFactory(seller=store.sid, approved=True),
        )
        order = StoreOrderFactory(buyer=store.cal, lines=[(one, 1), (two, 2)], status=status)
    return order, one, two


def _post(store: Store, who: str | None, **body: object) -> ApiResponse:
    return store.client(who).post("/api/v1/reviews/", body, format="json")


def test_the_buyer_reviews_a_product_of_a_delivered_order_and_the_aggregates_follow(store: Store) -> None:
    # given
    order, one, _ = _order(store)
    # when
    response = store.client("cal").post(
        "/api/v1/reviews/", {"order": order.pk, "product": one.pk, "rating": 5, "title": "Great"}, format="json"
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["author"] == {"id": store.cal.pk, "full_name": "Cal Customer"}
    product = reload(store, one)
    assert (product.avg_rating, product.ratings_count) == (D("5.00"), 1)


def test_edits_and_deletions_recompute_the_aggregates(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, approved=True)
        first = ReviewFactory(order=StoreOrderFactory(buyer=store.cal, lines=[(product, 1)], delivered=True), rating=5)
        ReviewFactory(order=StoreOrderFactory(lines=[(product, 1)], delivered=True), rating=2)
    assert reload(store, product).avg_rating == D("3.50")
    # when
    patched = store.client("cal").patch(f"/api/v1/reviews/{first.pk}/", {"rating": 3}, format="json")
    # then
    assert patched.status_code == 200 and patched.json()["rating"] == 3
    assert (reload(store, product).avg_rating, reload(store, product).ratings_count) == (D("2.50"), 2)
    # when
    assert store.client("cal").delete(f"/api/v1/reviews/{first.pk}/").status_code == 204
    # then
    assert (reload(store, product).avg_rating, reload(store, product).ratings_count) == (D("2.00"), 1)


def test_one_review_per_product_and_order(store: Store) -> None:
    # given
    order, one, two = _order(store)
    assert _post(store, "cal", order=order.pk, product=one.pk, rating=4).status_code == 201
    # when
    again = _post(store, "cal", order=order.pk, product=one.pk, rating=2)
    # then
    assert again.status_code == 409 and error_code(again) == "already_reviewed"
    assert _post(store, "cal", order=order.pk, product=two.pk, rating=2).status_code == 201


def test_only_delivered_or_completed_orders_and_their_products_are_reviewed(store: Store) -> None:
    # given
    completed, product, other = _order(store, OrderStatus.COMPLETED)
    with tenant_context(store.tenant):
        elsewhere = StoreProductFactory(seller=store.sam, approved=True)
    # when / then
    assert _post(store, "cal", order=completed.pk, product=product.pk, rating=3).status_code == 201
    not_in_order = _post(store, "cal", order=completed.pk, product=elsewhere.pk, rating=3)
    assert not_in_order.status_code == 400 and error_code(not_in_order) == "invalid_product"
    with tenant_context(store.tenant):
        Order.objects.filter(pk=completed.pk).update(status=OrderStatus.SHIPPED)
    early = _post(store, "cal", order=completed.pk, product=other.pk, rating=3)
    assert early.status_code == 409 and error_code(early) == "order_not_delivered"


def test_only_the_buyer_reviews_and_only_the_author_edits(store: Store) -> None:
    # given
    order, one, _ = _order(store)
    # when / then: someone else's order answers like a missing one
    for who in ("cora", "sam", "dave", "admin"):
        response = _post(store, who, order=order.pk, product=one.pk, rating=1)
        assert response.status_code == 404, who
    assert _post(store, None, order=order.pk, product=one.pk, rating=1).status_code == 401
    with tenant_context(store.tenant):
        review = ReviewFactory(order=order, product=one)
    for who in ("cora", "sam", "admin"):
        assert store.client(who).patch(f"/api/v1/reviews/{review.pk}/", {"rating": 1}, format="json").status_code == 403
    for who in ("cora", "sam"):
        assert store.client(who).delete(f"/api/v1/reviews/{review.pk}/").status_code == 403
    assert store.client("admin").delete(f"/api/v1/reviews/{review.pk}/").status_code == 204


def test_reviews_are_public_and_filtered_by_product(store: Store) -> None:
    # given
    order, one, two = _order(store)
    with tenant_context(store.tenant):
        a = ReviewFactory(order=order, product=one)
        ReviewFactory(order=order, product=two)
    # when
    response = store.client(None).get("/api/v1/reviews/", {"product": one.pk})
    # then
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [a.pk]
    assert store.client(None).get(f"/api/v1/reviews/{a.pk}/").status_code == 200


def test_bad_ratings_answer_400(store: Store) -> None:
    order, one, _ = _order(store)
    for rating in (0, 6, 2.5, "five", None):
        response = _post(store, "cal", order=order.pk, product=one.pk, rating=rating)
        assert response.status_code == 400, rating
