"""The reviews app's role matrix: every route for every person of the writing site (cleo and carl
clients, wren and will writers, eddie editor, sue support, admin, anonymous), and a check that
every route of ``reviews/urls.py`` is in it.

Rows act on cleo's completed order (wren wrote it, eddie delivered it) and her pending review of
it, or on cleo's pending website review. Something a user may not see answers 404 like a missing
one (carl and will do not see cleo's order; a pending review is nobody's but cleo's and staff's);
moderation is the admins' (403 for everyone else, whatever the id). Website reviews are written by
clients with a completed order (each row gives cleo and carl one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tenant_apps.writing.reviews import urls
from tests.tenant_apps.writing.conftest import Writing
from tests.tenant_apps.writing.orders.conftest import error_code, make_order
from tests.tenant_apps.writing.reviews.conftest import order_review, website_review

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)
BASE = "/api/v1/"


@dataclass(frozen=True)
class Row:
    """One endpoint: ``route`` (its URL template), ``path`` and ``body`` built for the test."""

    method: str
    route: str
    path: Callable[[Writing], str]
    body: Callable[[Writing], dict[str, Any]] | None = None


def _completed(writing: Writing) -> dict[str, Any]:
    return {"order": make_order(writing, "completed").pk, "rating": 5, "text": "Good."}


def _both_completed(writing: Writing) -> str:
    make_order(writing, "completed")
    make_order(writing, "completed", client=writing.carl)
    return f"{BASE}reviews/website/"


ROWS: dict[str, Row] = {
    "order_reviews": Row("get", "reviews/orders/", lambda w: f"{BASE}reviews/orders/"),
    "order_review_create": Row("post", "reviews/orders/", lambda w: f"{BASE}reviews/orders/", _completed),
    "order_review": Row("get", "reviews/orders/<int:pk>/", lambda w: f"{BASE}reviews/orders/{order_review(w).pk}/"),
    "order_review_publish": Row(
        "post", "reviews/orders/<int:pk>/publish/", lambda w: f"{BASE}reviews/orders/{order_review(w).pk}/publish/"
    ),
    "order_review_hide": Row(
        "post", "reviews/orders/<int:pk>/hide/", lambda w: f"{BASE}reviews/orders/{order_review(w).pk}/hide/"
    ),
    "website_reviews": Row("get", "reviews/website/", lambda w: f"{BASE}reviews/website/"),
    "website_review_create": Row("post", "reviews/website/", _both_completed, lambda w: {"rating": 5}),
    "website_manage": Row("get", "reviews/website/manage/", lambda w: f"{BASE}reviews/website/manage/"),
    "website_review_publish": Row(
        "post",
        "reviews/website/<int:pk>/publish/",
        lambda w: f"{BASE}reviews/website/{website_review(w).pk}/publish/",
    ),
    "website_review_hide": Row(
        "post", "reviews/website/<int:pk>/hide/", lambda w: f"{BASE}reviews/website/{website_review(w).pk}/hide/"
    ),
    "writer_reviews": Row("get", "reviews/writers/<int:pk>/", lambda w: f"{BASE}reviews/writers/{w.wren.pk}/"),
}

MATRIX: dict[str, tuple[int, ...]] = {
    #                          cleo carl wren will eddie sue admin anonymous
    "order_reviews": (200, 200, 200, 200, 403, 200, 200, 401),
    "order_review_create": (201, 404, 403, 404, 403, 403, 403, 401),
    "order_review": (200, 404, 404, 404, 404, 200, 200, 401),
    "order_review_publish": (403, 403, 403, 403, 403, 403, 200, 401),
    "order_review_hide": (403, 403, 403, 403, 403, 403, 200, 401),
    "website_reviews": (200, 200, 200, 200, 200, 200, 200, 200),
    "website_review_create": (201, 201, 403, 403, 403, 403, 403, 401),
    "website_manage": (200, 200, 403, 403, 403, 200, 200, 401),
    "website_review_publish": (403, 403, 403, 403, 403, 403, 200, 401),
    "website_review_hide": (403, 403, 403, 403, 403, 403, 200, 401),
    "writer_reviews": (200, 200, 200, 200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body(writing) if row.body is not None else None
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    assert response.status_code == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who], response.content


def test_every_route_of_the_app_is_in_the_matrix() -> None:
    routes = {str(pattern.pattern) for pattern in urls.urlpatterns}
    assert routes == {row.route for row in ROWS.values()}
    assert set(ROWS) == set(MATRIX)
