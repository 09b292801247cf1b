"""The role matrix of the writing CMS app: every route for every person of the golf site, and a
check that every route of ``tenant_apps/writing/cms/urls.py`` is in it.

Reads are public: anyone, signed in or not, reads published posts, categories, tags and
published service pages; a draft (or a hidden page) answers 404 to everyone but an admin, like a
missing one. Every change is an admin's: 403 for other roles, 401 when not signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

import pytest
from django.utils import timezone

from tests.api import error_code
from tests.tenant_apps.writing.cms.conftest import (
    CATEGORIES,
    PAGES,
    POSTS,
    TAGS,
    make_category,
    make_page,
    make_post,
    page_url,
    post_url,
)
from tests.tenant_apps.writing.conftest import Writing

PEOPLE = ("cleo", "carl", "wren", "will", "eddie", "sue", "admin", None)


@dataclass(frozen=True)
class Row:
    """One endpoint: ``path(writing)`` builds its URL (making what it acts on), ``body`` its data."""

    method: str
    path: Callable[[Writing], str]
    body: dict[str, Any] | Callable[[], dict[str, Any]] | None = None


def _post(status: str, action: str = "") -> Callable[[Writing], str]:
    return lambda w: post_url(make_post(w, status).slug, action)


def _category(w: Writing) -> str:
    return f"{CATEGORIES}{make_category(w).pk}/"


def _future() -> dict[str, Any]:
    return {"publish_at": (timezone.now() + timedelta(days=1)).isoformat()}


ROWS: dict[str, Row] = {
    "posts": Row("get", lambda w: POSTS),
    "post_create": Row("post", lambda w: POSTS, {"title": "Matrix post"}),
    "post": Row("get", _post("published")),
    "draft": Row("get", _post("draft")),
    "post_update": Row("patch", _post("published"), {"excerpt": "Changed."}),
    "post_delete": Row("delete", _post("published")),
    "post_publish": Row("post", _post("draft", "publish/")),
    "post_unpublish": Row("post", _post("published", "unpublish/")),
    "post_schedule": Row("post", _post("draft", "schedule/"), _future),
    "categories": Row("get", lambda w: CATEGORIES),
    "category_create": Row("post", lambda w: CATEGORIES, {"name": "Matrix category"}),
    "category": Row("get", _category),
    "category_update": Row("patch", _category, {"position": 7}),
    "category_delete": Row("delete", _category),
    "tags": Row("get", lambda w: TAGS),
    "pages": Row("get", lambda w: PAGES),
    "page_create": Row("post", lambda w: PAGES, {"title": "Matrix page"}),
    "page": Row("get", lambda w: page_url(make_page(w).slug)),
    "hidden_page": Row("get", lambda w: page_url(make_page(w, is_published=False).slug)),
    "page_update": Row("patch", lambda w: page_url(make_page(w).slug), {"position": 3}),
    "page_delete": Row("delete", lambda w: page_url(make_page(w).slug)),
}

_ANYONE = (200, 200, 200, 200, 200, 200, 200, 200)
_ADMIN_ONLY = (403, 403, 403, 403, 403, 403, 200, 401)
_HIDDEN = (404, 404, 404, 404, 404, 404, 200, 404)

MATRIX: dict[str, tuple[int, ...]] = {
    #                 cleo carl wren will eddie sue admin anonymous
    "posts": _ANYONE,
    "post_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "post": _ANYONE,
    "draft": _HIDDEN,
    "post_update": _ADMIN_ONLY,
    "post_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "post_publish": _ADMIN_ONLY,
    "post_unpublish": _ADMIN_ONLY,
    "post_schedule": _ADMIN_ONLY,
    "categories": _ANYONE,
    "category_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "category": _ANYONE,
    "category_update": _ADMIN_ONLY,
    "category_delete": (403, 403, 403, 403, 403, 403, 204, 401),
    "tags": _ANYONE,
    "pages": _ANYONE,
    "page_create": (403, 403, 403, 403, 403, 403, 201, 401),
    "page": _ANYONE,
    "hidden_page": _HIDDEN,
    "page_update": _ADMIN_ONLY,
    "page_delete": (403, 403, 403, 403, 403, 403, 204, 401),
}

#: The route each row exercises (its URL template), for the coverage check below.
ROUTE_OF: dict[str, str] = {
    "posts": "/api/v1/blog/posts/",
    "post_create": "/api/v1/blog/posts/",
    "post": "/api/v1/blog/posts/<slug:slug>/",
    "draft": "/api/v1/blog/posts/<slug:slug>/",
    "post_update": "/api/v1/blog/posts/<slug:slug>/",
    "post_delete": "/api/v1/blog/posts/<slug:slug>/",
    "post_publish": "/api/v1/blog/posts/<slug:slug>/publish/",
    "post_unpublish": "/api/v1/blog/posts/<slug:slug>/unpublish/",
    "post_schedule": "/api/v1/blog/posts/<slug:slug>/schedule/",
    "categories": "/api/v1/blog/categories/",
    "category_create": "/api/v1/blog/categories/",
    "category": "/api/v1/blog/categories/<int:pk>/",
    "category_update": "/api/v1/blog/categories/<int:pk>/",
    "category_delete": "/api/v1/blog/categories/<int:pk>/",
    "tags": "/api/v1/blog/tags/",
    "pages": "/api/v1/service-pages/",
    "page_create": "/api/v1/service-pages/",
    "page": "/api/v1/service-pages/<slug:slug>/",
    "hidden_page": "/api/v1/service-pages/<slug:slug>/",
    "page_update": "/api/v1/service-pages/<slug:slug>/",
    "page_delete": "/api/v1/service-pages/<slug:slug>/",
}


def _call(writing: Writing, who: str | None, endpoint: str) -> int:
    row = ROWS[endpoint]
    url = row.path(writing)
    body = row.body() if callable(row.body) else row.body
    response = getattr(writing.client(who), row.method)(url, body, format="json")
    assert response.status_code < 500, response.content
    if response.status_code != 204:
        assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        error_code(response)
    return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("endpoint", MATRIX)
def test_role_matrix(writing: Writing, endpoint: str, who: str | None) -> None:
    assert _call(writing, who, endpoint) == dict(zip(PEOPLE, MATRIX[endpoint], strict=True))[who]


def test_every_route_of_the_cms_is_in_the_matrix() -> None:
    urls = import_module("tenant_apps.writing.cms.urls")
    routes = {f"/api/v1/{pattern.pattern}" for pattern in urls.urlpatterns}
    assert routes == set(ROUTE_OF.values())
    assert set(ROUTE_OF) == set(ROWS) == set(MATRIX)
