"""The CMS lists run a fixed number of queries, however many rows they list (authors and covers
joined; categories and tags prefetched)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tenant_apps.files.services import file_store
from tests.tenant_apps.writing.cms.conftest import (
    CATEGORIES,
    PAGES,
    PNG,
    POSTS,
    TAGS,
    make_category,
    make_page,
    make_post,
)
from tests.tenant_apps.writing.conftest import Writing

LISTS = (POSTS, CATEGORIES, TAGS, PAGES)


def _add(writing: Writing, n: int) -> None:
    for i in range(n):
        category = make_category(writing)
        with tenant_context(writing.tenant):
            cover = file_store(
                upload=SimpleUploadedFile(f"c{i}.png", PNG, content_type="image/png"), uploaded_by=writing.admin
            )
        make_post(
            writing, "published", categories=[category.pk], tags=[f"tag {category.pk}", "common"], cover_image=cover.pk
        )
        make_page(writing)


def _queries(writing: Writing, who: str | None) -> tuple[int, ...]:
    client = writing.client(who)
    counts = []
    for path in LISTS:
        client.get(path)  # warm: the login's own lookups
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(len(captured))
    return tuple(counts)


def test_listing_more_content_runs_no_more_queries(writing: Writing) -> None:
    # given
    _add(writing, 1)
    few = (_queries(writing, None), _queries(writing, "admin"))
    # when
    _add(writing, 4)
    many = (_queries(writing, None), _queries(writing, "admin"))
    # then
    assert many == few
