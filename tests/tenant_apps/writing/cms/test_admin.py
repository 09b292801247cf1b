"""The content in a writing site's admin: the site admin lists, filters, searches and opens blog
posts, service pages and categories (other roles are sent to the login page); publishing,
unpublishing and scheduling posts, and showing or hiding pages, go through the API's services
(status, the public list, the audit row) and scheduling a live post shows the service's reason
and changes nothing; the post list costs the same queries for 2 posts as for 10; a site never
shows another site's posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.cms.models import BlogPost, Category, PostStatus, ServicePage
from tests.admin import (
    admin_client,
    admin_url,
    assert_admin_hides,
    assert_list_queries_fixed,
    messages_of,
    run_action,
    session_client,
)
from tests.factories.writing_cms import BlogCategoryFactory, BlogPostFactory, ServicePageFactory
from tests.tenant_apps.writing.conftest import Writing, reload


def _post(writing: Writing, **kwargs: object) -> BlogPost:
    with tenant_context(writing.tenant):
        return BlogPostFactory(**kwargs)


def _public_slugs(writing: Writing) -> list[str]:
    return [post["slug"] for post in writing.client(None).get("/api/v1/blog/posts/").json()["results"]]


def test_the_admin_lists_filters_searches_and_opens_posts_pages_and_categories(writing: Writing) -> None:
    # given: a draft and a published post, a page and a category
    draft = _post(writing, title="Writing a thesis abstract")
    live = _post(writing, title="Citing sources well", published=True)
    with tenant_context(writing.tenant):
        page = ServicePageFactory(title="Essay editing")
        category = BlogCategoryFactory(name="Study tips")
    client = admin_client(writing.tenant)
    # then: posts by status and by search
    drafts = client.get(admin_url(BlogPost), {"status__exact": "draft"}).content.decode()
    assert draft.title in drafts and live.title not in drafts
    found = client.get(admin_url(BlogPost), {"q": "Citing"}).content.decode()
    assert live.title in found and draft.title not in found
    assert client.get(admin_url(BlogPost, "change", draft.pk)).status_code == 200
    # pages and categories
    pages = client.get(admin_url(ServicePage), {"is_published__exact": "1", "q": "editing"}).content.decode()
    assert "Essay editing" in pages
    assert client.get(admin_url(ServicePage, "change", page.pk)).status_code == 200
    assert "Study tips" in client.get(admin_url(Category), {"q": "Study"}).content.decode()
    assert client.get(admin_url(Category, "change", category.pk)).status_code == 200


@pytest.mark.parametrize("who", ["cleo", "wren", "eddie", "sue"])
def test_other_roles_are_sent_to_the_login_page(writing: Writing, who: str) -> None:
    post = _post(writing)
    client = session_client(writing.tenant, getattr(writing, who))

    for url in (admin_url(BlogPost), admin_url(BlogPost, "change", post.pk), admin_url(ServicePage)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_publishing_and_unpublishing_posts_changes_what_the_public_sees(writing: Writing) -> None:
    post = _post(writing)
    client = admin_client(writing.tenant)
    assert post.slug not in _public_slugs(writing)

    assert messages_of(run_action(client, BlogPost, "publish_posts", [post])) == ["1 published."]
    assert reload(writing, post).status == PostStatus.PUBLISHED and post.slug in _public_slugs(writing)

    assert messages_of(run_action(client, BlogPost, "unpublish_posts", [post])) == ["1 unpublished."]
    assert reload(writing, post).status == PostStatus.DRAFT and post.slug not in _public_slugs(writing)
    with tenant_context(writing.tenant):
        verbs = set(
            AuditLogEntry.objects.filter(target_id=str(post.pk), actor=writing.admin).values_list("verb", flat=True)
        )
        assert {"writing.blog_post_published", "writing.blog_post_unpublished"} <= verbs


def test_scheduling_asks_when_and_a_live_post_is_not_scheduled(writing: Writing) -> None:
    # given: a draft and a published post
    draft = _post(writing)
    live = _post(writing, published=True)
    when = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    # when
    response = run_action(
        admin_client(writing.tenant),
        BlogPost,
        "schedule_posts",
        [draft, live],
        publish_at=when.strftime("%Y-%m-%dT%H:%M"),
    )
    # then: the draft scheduled then; the live post refused, still public
    shown = messages_of(response)
    assert "1 scheduled." in shown
    assert f"{live}: This post is public: unpublish it before scheduling it." in shown
    scheduled = reload(writing, draft)
    assert (scheduled.status, scheduled.publish_at) == (PostStatus.SCHEDULED, when)
    assert reload(writing, live).status == PostStatus.PUBLISHED


def test_service_pages_are_hidden_and_shown_through_the_service(writing: Writing) -> None:
    with tenant_context(writing.tenant):
        page = ServicePageFactory()
    client = admin_client(writing.tenant)

    assert messages_of(run_action(client, ServicePage, "hide_pages", [page])) == ["1 hidden."]
    assert reload(writing, page).is_published is False
    assert writing.client(None).get(f"/api/v1/service-pages/{page.slug}/").status_code == 404

    assert messages_of(run_action(client, ServicePage, "publish_pages", [page])) == ["1 published."]
    assert writing.client(None).get(f"/api/v1/service-pages/{page.slug}/").status_code == 200


def test_the_post_list_costs_the_same_queries_for_2_and_for_10_posts(writing: Writing) -> None:
    assert_list_queries_fixed(writing.tenant, BlogPost, lambda: BlogPostFactory(published=True, tags=["exams"]))


def test_a_site_never_shows_another_sites_posts(writing: Writing, hotel: Tenant) -> None:
    with tenant_context(hotel):
        theirs = BlogPostFactory(title="Hotel-only post")

    assert_admin_hides(writing.tenant, theirs, "Hotel-only post")
