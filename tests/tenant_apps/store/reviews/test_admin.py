"""Reviews in the store's admin: pages for the admin only, deletion through ``review_delete`` (the
product's rating recomputed, audited), fixed query counts, nothing of another store."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.store.catalog.models import Product
from tenant_apps.store.orders.models import OrderStatus
from tenant_apps.store.reviews.models import Review
from tests.admin import (
    admin_client,
    admin_url,
    assert_list_queries_fixed,
    audit_verbs,
    messages_of,
    run_action,
    session_client,
)
from tests.conftest import host_of
from tests.factories import StoreOrderFactory, StoreProductFactory
from tests.factories.store_reviews import ReviewFactory
from tests.tenant_apps.store.conftest import Store

pytestmark = pytest.mark.django_db


def _review(store: Store, product: Product, buyer: Any, rating: int, title: str) -> Review:
    with tenant_context(store.tenant):
        order = StoreOrderFactory(buyer=buyer, product=product, courier=store.dave, status=OrderStatus.DELIVERED)
        return ReviewFactory(order=order, product=product, rating=rating, title=title)


def test_the_review_pages_answer_the_admin_and_send_others_to_sign_in(store: Store) -> None:
    # given
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, approved=True)
    review = _review(store, product, store.cal, 2, "Squeaky hinges")
    client = admin_client(store.tenant)
    # when
    listing = client.get(admin_url(Review) + "?rating=2&q=squeaky")
    detail = client.get(admin_url(review, "change"))
    # then
    assert listing.status_code == 200 and "Squeaky hinges" in listing.content.decode()
    assert detail.status_code == 200 and "Squeaky hinges" in detail.content.decode()
    assert "Squeaky hinges" not in client.get(admin_url(Review) + "?rating=5").content.decode()
    refused = session_client(store.tenant, store.cal).get(admin_url(review, "change"))
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def test_deleting_a_review_recomputes_the_products_rating(store: Store) -> None:
    # given: ratings 1 and 5 (average 3.00)
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, approved=True, stock=20)
    low = _review(store, product, store.cal, 1, "Broke at once")
    _review(store, product, store.cora, 5, "Lovely")
    with tenant_context(store.tenant):
        assert Product.objects.get(pk=product.pk).avg_rating == Decimal("3.00")
    # when
    response = run_action(admin_client(store.tenant), Review, "delete_reviews", [low])
    # then
    assert "1 deleted." in messages_of(response)
    with tenant_context(store.tenant):
        assert not Review.objects.filter(pk=low.pk).exists()
        stored = Product.objects.get(pk=product.pk)
    assert (stored.avg_rating, stored.ratings_count) == (Decimal("5.00"), 1)
    assert "review.deleted" in audit_verbs(store.tenant, product)


def test_a_review_cannot_be_edited_in_the_admin(store: Store) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, approved=True)
    review = _review(store, product, store.cal, 4, "Fine")
    client = admin_client(store.tenant)
    assert client.post(admin_url(review, "change"), {"rating": "1", "title": "Edited"}).status_code == 403
    assert client.post(admin_url(review, "delete"), {"post": "yes"}).status_code == 403
    with tenant_context(store.tenant):
        assert Review.objects.get(pk=review.pk).title == "Fine"


def test_the_review_list_runs_as_many_queries_for_ten_rows_as_for_two(store: Store) -> None:
    with tenant_context(store.tenant):
        product = StoreProductFactory(seller=store.sam, approved=True, stock=50)

    numbers = itertools.count()

    def add_review() -> None:
        i = next(numbers)
        _review(store, product, store.cal, 1 + i % 5, f"Review {i}")

    assert_list_queries_fixed(store.tenant, Review, add_review)


def test_a_store_admin_sees_no_review_of_another_store(store: Store, delta: Tenant) -> None:
    with tenant_context(delta):
        theirs = ReviewFactory(title="Delta-only review")
    client = admin_client(store.tenant)
    detail = client.get(admin_url(theirs, "change"))
    assert detail.status_code in (302, 404) or "Delta-only review" not in detail.content.decode()
    assert "Delta-only review" not in client.get(admin_url(Review) + "?q=delta").content.decode()
    assert client.get(admin_url(theirs, "change"), HTTP_HOST=host_of(delta)).status_code == 302
