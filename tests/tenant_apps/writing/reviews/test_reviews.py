"""Reviews end to end: a client reviews a completed order (and so its writer) and the site; an
admin publishes or hides them; only published ones are public and make a writer's rating."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.notifications.models import Notification
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order
from tests.tenant_apps.writing.reviews.conftest import (
    ORDER_REVIEWS,
    WEBSITE_MANAGE,
    WEBSITE_REVIEWS,
    order_review,
    website_review,
    writer_reviews_url,
)
from tests.tenant_apps.writing.writers.conftest import WRITERS


def _verbs(writing: Writing, user: Any) -> list[str]:
    with tenant_context(writing.tenant):
        return sorted(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


def test_a_client_reviews_a_completed_order_and_admins_are_told(writing: Writing) -> None:
    # given
    order = make_order(writing, "completed")
    # when
    response = writing.client("cleo").post(
        ORDER_REVIEWS, {"order": order.pk, "rating": 4, "text": "Clear and on time."}, format="json"
    )
    # then: pending, about wren, the admin notified
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["rating"], body["writer"], body["order"]["number"]) == (
        "pending",
        4,
        writing.wren.pk,
        order.number,
    )
    assert (body["client"], body["client_name"]) == (writing.cleo.pk, None)
    assert "writing_review.submitted" in _verbs(writing, writing.admin)


def test_an_order_is_reviewed_once_completed_and_only_once(writing: Writing) -> None:
    delivered = make_order(writing, "delivered")
    response = writing.client("cleo").post(ORDER_REVIEWS, {"order": delivered.pk, "rating": 5}, format="json")
    assert (response.status_code, error_code(response)) == (409, "review_not_allowed")
    review = order_review(writing)
    again = writing.client("cleo").post(ORDER_REVIEWS, {"order": review.order_id, "rating": 5}, format="json")
    assert (again.status_code, error_code(again)) == (409, "already_reviewed")


def test_only_the_orders_client_reviews_it(writing: Writing) -> None:
    order = make_order(writing, "completed")
    # carl does not see cleo's order; wren sees it but is not its client
    carl = writing.client("carl").post(ORDER_REVIEWS, {"order": order.pk, "rating": 1}, format="json")
    wren = writing.client("wren").post(ORDER_REVIEWS, {"order": order.pk, "rating": 5}, format="json")
    assert (carl.status_code, wren.status_code) == (404, 403)


def test_a_rating_is_one_to_five(writing: Writing) -> None:
    order = make_order(writing, "completed")
    for rating in (0, 6, "five", 4.5, None):
        response = writing.client("cleo").post(ORDER_REVIEWS, {"order": order.pk, "rating": rating}, format="json")
        assert (response.status_code, error_code(response)) == (400, "validation_error"), rating


def test_publishing_tells_the_client_and_the_writer_and_counts_in_the_writers_rating(writing: Writing) -> None:
    # given: reviews of wren of 5 and 3, pending
    five, three = order_review(writing, rating=5), order_review(writing, rating=3)
    admin = writing.client("admin")
    # when: the admin publishes the 5 and hides the 3
    published = admin.post(f"{ORDER_REVIEWS}{five.pk}/publish/")
    hidden = admin.post(f"{ORDER_REVIEWS}{three.pk}/hide/")
    # then
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert (hidden.status_code, hidden.json()["status"]) == (200, "hidden")
    assert {"writing_review.published", "writing_review.hidden"} <= set(_verbs(writing, writing.cleo))
    assert "writing_review.about_you" in _verbs(writing, writing.wren)
    me = writing.client("wren").get(f"{WRITERS}me/").json()
    assert (me["rated_orders"], me["average_rating"]) == (1, "5.00")
    # and publishing twice is refused
    again = admin.post(f"{ORDER_REVIEWS}{five.pk}/publish/")
    assert (again.status_code, error_code(again)) == (409, "invalid_status_transition")


def test_a_writers_published_reviews_are_public(writing: Writing) -> None:
    # given
    shown = order_review(writing, "published", rating=4)
    order_review(writing, "hidden", rating=1)
    order_review(writing, "pending", rating=2)
    # when: anyone looks at wren's reviews
    body = writing.client(None).get(writer_reviews_url(writing.wren.pk)).json()
    # then: the published one, by first name
    assert [(r["id"], r["rating"], r["author"]) for r in body["results"]] == [(shown.pk, 4, "Cleo")]
    assert writing.client(None).get(writer_reviews_url(writing.cleo.pk)).status_code == 404


def test_a_writer_sees_the_published_reviews_about_them_without_the_client(writing: Writing) -> None:
    shown = order_review(writing, "published")
    order_review(writing, "pending")
    body = writing.client("wren").get(ORDER_REVIEWS).json()
    assert [(r["id"], r["client"], r["client_name"]) for r in body["results"]] == [(shown.pk, None, None)]
    assert writing.client("will").get(ORDER_REVIEWS).json()["results"] == []


def test_the_admin_lists_reviews_by_status(writing: Writing) -> None:
    pending = order_review(writing, "pending")
    order_review(writing, "published")
    body = writing.client("admin").get(ORDER_REVIEWS, {"status": "pending"}).json()
    assert [r["id"] for r in body["results"]] == [pending.pk]
    assert body["results"][0]["client_name"] == "Cleo Client"
    assert writing.client("admin").get(ORDER_REVIEWS, {"status": "nope"}).status_code == 400


def test_a_client_with_a_completed_order_reviews_the_site_once(writing: Writing) -> None:
    # given: carl has no completed order
    refused = writing.client("carl").post(WEBSITE_REVIEWS, {"rating": 5}, format="json")
    assert (refused.status_code, error_code(refused)) == (409, "review_not_allowed")
    # when: cleo, with one, reviews the site
    make_order(writing, "completed")
    response = writing.client("cleo").post(WEBSITE_REVIEWS, {"rating": 5, "text": "Great help."}, format="json")
    # then: pending, not public yet
    assert (response.status_code, response.json()["status"]) == (201, "pending")
    assert writing.client(None).get(WEBSITE_REVIEWS).json()["results"] == []
    again = writing.client("cleo").post(WEBSITE_REVIEWS, {"rating": 4}, format="json")
    assert (again.status_code, error_code(again)) == (409, "already_reviewed")


def test_published_website_reviews_are_public_and_the_rest_are_not(writing: Writing) -> None:
    # given
    shown = website_review(writing, "cleo", "published", rating=5)
    website_review(writing, "carl", "hidden", rating=1)
    # when
    body = writing.client(None).get(WEBSITE_REVIEWS).json()
    # then
    assert [(r["id"], r["author"], r["rating"]) for r in body["results"]] == [(shown.pk, "Cleo", 5)]
    assert set(body["results"][0]) == {"id", "author", "rating", "text", "created_at"}


def test_the_admin_moderates_website_reviews_and_clients_see_theirs(writing: Writing) -> None:
    review = website_review(writing, "cleo")
    listed = writing.client("admin").get(WEBSITE_MANAGE, {"status": "pending"}).json()["results"]
    assert [r["id"] for r in listed] == [review.pk]
    response = writing.client("admin").post(f"{WEBSITE_REVIEWS}{review.pk}/publish/")
    assert (response.status_code, response.json()["status"]) == (200, "published")
    hide = writing.client("admin").post(f"{WEBSITE_REVIEWS}{review.pk}/hide/")
    assert hide.json()["status"] == "hidden"
    assert [r["status"] for r in writing.client("cleo").get(WEBSITE_MANAGE).json()["results"]] == ["hidden"]
    assert writing.client("carl").get(WEBSITE_MANAGE).json()["results"] == []
    assert {"writing_review.published", "writing_review.hidden"} <= set(_verbs(writing, writing.cleo))
