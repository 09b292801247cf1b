"""Reads of the writing CMS app: posts, categories, tags and service pages, in the order shown.

Each list runs a fixed number of queries however many rows it holds (authors and covers joined,
categories and tags prefetched).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, QuerySet

from tenant_apps.writing.cms.access import (
    categories_visible_to,
    posts_visible_to,
    service_pages_visible_to,
    tags_visible_to,
)
from tenant_apps.writing.cms.models import BlogPost, Category, ServicePage, Tag


def with_relations(posts: QuerySet[BlogPost]) -> QuerySet[BlogPost]:
    """``posts`` with their author and cover joined and their categories and tags prefetched."""
    return posts.select_related("author", "cover_image").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("position", "name", "id")),
        Prefetch("tags", queryset=Tag.objects.order_by("name", "id")),
    )


def post_list(*, user: Any) -> QuerySet[BlogPost]:
    """The posts ``user`` may read, newest first (by ``publish_at``; an admin's drafts, which have
    none, come first, newest created first)."""
    return with_relations(posts_visible_to(user)).order_by(F("publish_at").desc(nulls_first=True), "-id")


def category_list(*, user: Any) -> QuerySet[Category]:
    """Every category, by position then name."""
    return categories_visible_to(user).order_by("position", "name", "id")


def tag_list(*, user: Any) -> QuerySet[Tag]:
    """The tags ``user`` may see (``access.tags_visible_to``), by name."""
    return tags_visible_to(user).order_by("name", "id")


def service_page_list(*, user: Any) -> QuerySet[ServicePage]:
    """The service pages ``user`` may read, by position then title."""
    return service_pages_visible_to(user).order_by("position", "title", "id")


def service_pages_count() -> int:
    """The site's usage of its plan's ``service_pages`` limit (``writing/kind.py``): its service
    pages, published or not.

    Why service pages: they are the writing site's catalogue, the services it sells (as products
    are a store's, properties a rental's, programs a school's), created by its admins only and
    freed by deleting one. Orders are its clients' purchases (limiting them would refuse the
    site's revenue), writers are users (the ``users`` limit), blog posts are marketing content
    that only grows. One query.
    """
    return ServicePage.objects.count()
