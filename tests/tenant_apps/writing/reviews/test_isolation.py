"""One writing site's reviews are invisible from another (golf and hotel): the public lists, the
moderation lists, ids, and a writer's public reviews."""

from __future__ import annotations

from shared_apps.tenancy.models import Tenant
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.conftest import Writing, make_writing
from tests.tenant_apps.writing.reviews.conftest import (
    ORDER_REVIEWS,
    WEBSITE_MANAGE,
    WEBSITE_REVIEWS,
    order_review,
    website_review,
    writer_reviews_url,
)


def test_golfs_reviews_are_not_hotels(writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login) -> None:
    # given: golf's published reviews
    review = order_review(writing, "published")
    site = website_review(writing, "cleo", "published")
    other = make_writing(hotel, client_for, login)
    # then: hotel's public lists and admin lists are empty
    assert other.client(None).get(WEBSITE_REVIEWS).json()["results"] == []
    assert other.client("admin").get(ORDER_REVIEWS).json()["results"] == []
    assert other.client("admin").get(WEBSITE_MANAGE).json()["results"] == []
    assert other.client(None).get(writer_reviews_url(other.wren.pk)).json()["results"] == []
    # and golf's ids are not found there, nor moderated
    assert other.client("admin").get(f"{ORDER_REVIEWS}{review.pk}/").status_code == 404
    assert other.client("admin").post(f"{ORDER_REVIEWS}{review.pk}/hide/").status_code == 404
    assert other.client("admin").post(f"{WEBSITE_REVIEWS}{site.pk}/hide/").status_code == 404
    # while golf's are there
    assert [r["id"] for r in writing.client(None).get(WEBSITE_REVIEWS).json()["results"]] == [site.pk]


def test_a_hotel_token_does_not_open_golfs_moderation(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    review = order_review(writing)
    token = login(hotel, f"admin@{hotel.schema_name}.test")["access"]
    response = client_for(writing.tenant, token).post(f"{ORDER_REVIEWS}{review.pk}/publish/")
    assert response.status_code == 401
