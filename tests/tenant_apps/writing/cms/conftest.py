"""Helpers of the writing CMS tests: URLs, and content made in golf through the factories."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import tenant_context

from tenant_apps.writing.cms.models import BlogPost, ServicePage
from tests.factories import BlogCategoryFactory, BlogPostFactory, ServicePageFactory
from tests.tenant_apps.writing.conftest import Writing

POSTS = "/api/v1/blog/posts/"
CATEGORIES = "/api/v1/blog/categories/"
TAGS = "/api/v1/blog/tags/"
PAGES = "/api/v1/service-pages/"

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 32


def post_url(slug: str, action: str = "") -> str:
    """``/api/v1/blog/posts/{slug}/`` plus ``action`` (``"publish/"``...)."""
    return f"{POSTS}{slug}/{action}"


def page_url(slug: str) -> str:
    """``/api/v1/service-pages/{slug}/``."""
    return f"{PAGES}{slug}/"


def make_post(writing: Writing, status: str = "published", **fields: Any) -> BlogPost:
    """A post of golf in ``status`` (``draft``, ``scheduled``, ``published``), by its services."""
    with tenant_context(writing.tenant):
        return BlogPostFactory(status=status, **fields)


def make_category(writing: Writing, **fields: Any) -> Any:
    """A blog category of golf."""
    with tenant_context(writing.tenant):
        return BlogCategoryFactory(**fields)


def make_page(writing: Writing, **fields: Any) -> ServicePage:
    """A service page of golf (published unless ``is_published=False``)."""
    with tenant_context(writing.tenant):
        return ServicePageFactory(**fields)


def slugs(response: Any) -> list[str]:
    """The slugs of a paginated list's results, in order."""
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]
