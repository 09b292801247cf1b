"""One writing site's content is its own (golf and hotel): the same slug on both sites names two
independent posts and pages; golf's draft is unknown on hotel, even to hotel's admin; golf's
tokens do not work on hotel's host; the beat job in one site publishes only that site's posts."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import tenant_context

from shared_apps.tenancy.models import Tenant
from tenant_apps.writing.cms.models import BlogPost
from tenant_apps.writing.cms.tasks import blog_posts_publish_due_task
from tests.factories import BlogPostFactory
from tests.factories.base import at
from tests.fixture_types import ClientFor, Login
from tests.tenant_apps.writing.cms.conftest import PAGES, POSTS, TAGS, make_page, make_post, page_url, post_url, slugs
from tests.tenant_apps.writing.conftest import Writing, make_writing


def test_the_same_slug_on_two_sites_names_two_posts(
    writing: Writing, hotel: Tenant, client_for: ClientFor, login: Login
) -> None:
    # given "welcome" on each site, and a golf draft and page
    other = make_writing(hotel, client_for, login)
    make_post(writing, "published", title="Welcome", body="<p>Golf</p>", tags=["Golf only"])
    make_post(other, "published", title="Welcome", body="<p>Hotel</p>")
    golf_draft = make_post(writing, "draft", title="Golf secret")
    golf_page = make_page(writing, title="Golf coaching")
    golf_visitor, hotel_visitor = writing.client(None), client_for(hotel)
    # then each host serves its own
    assert golf_visitor.get(post_url("welcome")).json()["body"] == "<p>Golf</p>"
    assert hotel_visitor.get(post_url("welcome")).json()["body"] == "<p>Hotel</p>"
    assert slugs(hotel_visitor.get(POSTS)) == ["welcome"]
    assert slugs(hotel_visitor.get(TAGS)) == []
    # and golf's draft and page are unknown on hotel, even to its admin
    assert other.client("admin").get(post_url(golf_draft.slug)).status_code == 404
    assert other.client("admin").post(post_url(golf_draft.slug, "publish/")).status_code == 404
    assert hotel_visitor.get(page_url(golf_page.slug)).status_code == 404
    assert slugs(other.client("admin").get(PAGES)) == []
    # and a golf admin's token means nothing on hotel's host
    golf_token = login(writing.tenant, writing.admin.email)["access"]
    assert client_for(hotel, golf_token).post(POSTS, {"title": "Intruder"}, format="json").status_code == 401
    with tenant_context(hotel):
        assert not BlogPost.objects.filter(title__in=["Golf secret", "Intruder"]).exists()


def test_the_publish_job_in_one_site_touches_only_its_posts(writing: Writing, hotel: Tenant) -> None:
    # given a post due in an hour on each site
    soon = timezone.now() + timedelta(hours=1)
    golf_post = make_post(writing, "scheduled", publish_at=soon)
    with tenant_context(hotel):
        hotel_post = BlogPostFactory(status="scheduled", publish_at=soon)
    # when the job runs in hotel two hours later
    with tenant_context(hotel), at(soon + timedelta(hours=1)):
        done = blog_posts_publish_due_task()
    # then hotel's post is published and golf's is still scheduled
    assert done == [hotel_post.pk]
    with tenant_context(hotel):
        assert BlogPost.objects.get(pk=hotel_post.pk).status == "published"
    with tenant_context(writing.tenant):
        assert BlogPost.objects.get(pk=golf_post.pk).status == "scheduled"
