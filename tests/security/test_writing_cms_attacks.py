"""Attacks on the writing CMS app: drafts and hidden pages read or moved by people who may not,
another site's slugs (golf's on hotel), leaks through search, filters and tags, a client's private
upload made public as a cover, and mass assignment.

The victims: a draft post and an unpublished service page of golf whose titles carry ``SECRET``.
Attackers: client ``cleo``, writer ``wren``, editor ``eddie``, support ``sue``, anonymous, and
hotel's admin sending golf's slugs to hotel. Each gets exactly the answer a missing slug gets,
never the secret, and nothing changes.

Mass assignment: a post's status, publish time, author, id and timestamps, and a page's id and
timestamps, are not the admin's to set through the body: they are ignored, and the stored rows
show none of them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.cms.models import BlogPost, ServicePage
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.cms.conftest import PAGES, PNG, POSTS, TAGS, make_page, make_post
from tests.tenant_apps.writing.conftest import Writing, make_writing

SECRET = "golf-secret-7d2e"
MISSING = "no-such-slug-41"
ATTACKERS: list[str | None] = ["cleo", "wren", "eddie", "sue", None]

#: (method, path with {post} or {page}, body): every endpoint taking a slug.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("get", "/api/v1/blog/posts/{post}/", None),
    ("patch", "/api/v1/blog/posts/{post}/", {"title": "Taken over"}),
    ("delete", "/api/v1/blog/posts/{post}/", None),
    ("post", "/api/v1/blog/posts/{post}/publish/", None),
    ("post", "/api/v1/blog/posts/{post}/unpublish/", None),
    ("post", "/api/v1/blog/posts/{post}/schedule/", {"publish_at": "2040-01-01T00:00:00Z"}),
    ("get", "/api/v1/service-pages/{page}/", None),
    ("patch", "/api/v1/service-pages/{page}/", {"is_published": True}),
    ("delete", "/api/v1/service-pages/{page}/", None),
]


@pytest.fixture
def writing(golf: Tenant, client_for: ClientFor, login: Login) -> Writing:
    return make_writing(golf, client_for, login)


@pytest.fixture
def victims(writing: Writing) -> dict[str, str]:
    """golf's secret draft post and hidden page: ``{"post": slug, "page": slug}``."""
    post = make_post(writing, "draft", title=f"Plan {SECRET}", tags=[f"tag {SECRET}"])
    page = make_page(writing, title=f"Page {SECRET}", is_published=False)
    return {"post": post.slug, "page": page.slug}


def _state(tenant: Tenant) -> Any:
    with tenant_context(tenant):
        return (list(BlogPost.objects.values()), list(ServicePage.objects.values()))


def _answer(client: Any, method: str, path: str, body: Any) -> tuple[int, str]:
    response = getattr(client, method)(path, body, format="json")
    code = response.json()["error"]["code"] if response.status_code >= 400 else ""
    return response.status_code, code


@pytest.mark.parametrize("who", ATTACKERS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_draft_or_hidden_page_answers_like_a_missing_one(
    writing: Writing, victims: dict[str, str], who: str | None, method: str, path: str, body: Any
) -> None:
    # given
    client = writing.client(who)
    before = _state(writing.tenant)
    # when
    real = getattr(client, method)(path.format(**victims), body, format="json")
    missing = _answer(client, method, path.format(post=MISSING, page=MISSING), body)
    # then
    assert (real.status_code, real.json()["error"]["code"]) == missing
    assert real.status_code in (401, 403, 404)
    assert SECRET not in real.content.decode()
    assert _state(writing.tenant) == before


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_hotels_admin_cannot_reach_golfs_content_by_slug(
    writing: Writing,
    victims: dict[str, str],
    hotel: Tenant,
    client_for: ClientFor,
    login: Login,
    method: str,
    path: str,
    body: Any,
) -> None:
    # given
    other = make_writing(hotel, client_for, login).client("admin")
    before = _state(writing.tenant)
    # when
    response = getattr(other, method)(path.format(**victims), body, format="json")
    # then
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert _state(writing.tenant) == before


@pytest.mark.parametrize("who", ATTACKERS)
def test_lists_search_and_filters_never_show_a_draft(
    writing: Writing, victims: dict[str, str], who: str | None
) -> None:
    client = writing.client(who)
    for query in ({"search": SECRET}, {"status": "draft"}, {"tag": f"tag-{SECRET}"}, {"ordering": "-created_at"}):
        response = client.get(POSTS, query)
        assert response.status_code == 200 and SECRET not in response.content.decode(), query
    for path in (TAGS, PAGES):
        response = client.get(path)
        assert response.status_code == 200 and SECRET not in response.content.decode(), path


def test_a_clients_private_upload_cannot_become_a_public_cover(writing: Writing) -> None:
    # given an image uploaded by cleo (as for an order) and a published post
    upload = SimpleUploadedFile("private.png", PNG, content_type="image/png")
    private = writing.client("cleo").post("/api/v1/files/", {"file": upload}, format="multipart")
    assert private.status_code == 201, private.content
    post = make_post(writing, "published")
    # when the admin names it as the cover
    response = writing.client("admin").patch(
        f"{POSTS}{post.slug}/", {"cover_image": private.json()["id"]}, format="json"
    )
    # then refused; the post has no cover
    assert response.status_code == 400 and "cover_image" in response.json()["error"]["details"]
    with tenant_context(writing.tenant):
        assert BlogPost.objects.get(pk=post.pk).cover_image_id is None


def test_mass_assignment_of_a_posts_status_author_and_ids_is_ignored(writing: Writing) -> None:
    # given
    admin = writing.client("admin")
    forged = {
        "id": 999_999,
        "status": "published",
        "publish_at": (timezone.now() - timedelta(days=3)).isoformat(),
        "author": writing.cleo.pk,
        "author_name": "Cleo",
        "created_at": "2001-01-01T00:00:00Z",
        "cover_image_url": "https://evil.example/x.png",
    }
    # when
    created = admin.post(POSTS, {"title": "Forged", **forged}, format="json")
    patched = admin.patch(f"{POSTS}forged/", {"excerpt": "Still a draft.", **forged}, format="json")
    page_body = {"title": "Forged page", "id": 999_998, "created_at": "2001-01-01T00:00:00Z"}
    page = admin.post(PAGES, page_body, format="json")
    # then
    assert created.status_code == 201 and patched.status_code == 200 and page.status_code == 201
    with tenant_context(writing.tenant):
        post = BlogPost.objects.get(slug="forged")
        stored_page = ServicePage.objects.get(slug="forged-page")
    assert (post.status, post.publish_at, post.cover_image_id) == ("draft", None, None)
    assert post.author_id == writing.admin.pk
    assert post.pk != 999_999 and post.created_at.year > 2001 and post.excerpt == "Still a draft."
    assert stored_page.pk != 999_998 and stored_page.created_at.year > 2001 and not stored_page.is_published
    assert writing.client(None).get(f"{POSTS}forged/").status_code == 404
