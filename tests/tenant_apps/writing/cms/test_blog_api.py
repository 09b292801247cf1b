"""Blog posts through the API: admins write and move them, anyone reads the public ones.

A draft or a post scheduled for later answers 404 to everyone but an admin; a scheduled post is
public from its ``publish_at`` on, without any job having run.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenant_apps.audit.models import AuditLogEntry
from tenant_apps.writing.cms.models import BlogPost, Tag
from tenant_apps.writing.cms.services import posts_publish_due
from tests.api import error_code
from tests.factories.base import at
from tests.tenant_apps.writing.cms.conftest import (
    CATEGORIES,
    PNG,
    POSTS,
    TAGS,
    make_category,
    make_post,
    post_url,
    slugs,
)
from tests.tenant_apps.writing.conftest import Writing


def test_a_post_written_and_published_by_an_admin_is_read_anonymously(writing: Writing) -> None:
    # given an admin's draft with a category and two new tags
    admin, visitor = writing.client("admin"), writing.client(None)
    category = admin.post(CATEGORIES, {"name": "Essay tips"}, format="json").json()
    created = admin.post(
        POSTS,
        {
            "title": "How to write an essay",
            "excerpt": "Five steps.",
            "body": "<h2>Plan</h2><p>Outline first.</p>",
            "categories": [category["id"]],
            "tags": ["Writing", "Essays"],
            "seo_title": "Essay writing in five steps",
            "seo_description": "Plan, draft, revise.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft" and created.json()["slug"] == "how-to-write-an-essay"
    assert visitor.get(post_url("how-to-write-an-essay")).status_code == 404
    assert slugs(visitor.get(POSTS)) == []
    # when the admin publishes it
    published = admin.post(post_url("how-to-write-an-essay", "publish/"))
    # then anyone reads it, in the list and alone
    assert published.status_code == 200 and published.json()["status"] == "published"
    read = visitor.get(post_url("how-to-write-an-essay"))
    assert read.status_code == 200
    body = read.json()
    assert body["body"] == "<h2>Plan</h2><p>Outline first.</p>"
    assert body["author_name"] == writing.admin.full_name
    assert [c["slug"] for c in body["categories"]] == ["essay-tips"]
    assert [t["slug"] for t in body["tags"]] == ["essays", "writing"]
    assert body["publish_at"] is not None
    assert slugs(visitor.get(POSTS)) == ["how-to-write-an-essay"]
    with tenant_context(writing.tenant):
        post = BlogPost.objects.get(slug="how-to-write-an-essay")
        verbs = set(AuditLogEntry.objects.filter(target_id=str(post.pk)).values_list("verb", flat=True))
    assert {"writing.blog_post_created", "writing.blog_post_published"} <= verbs


def test_unpublishing_hides_a_post_again(writing: Writing) -> None:
    # given
    post = make_post(writing, "published")
    # when
    response = writing.client("admin").post(post_url(post.slug, "unpublish/"))
    # then
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert response.json()["publish_at"] is None
    assert writing.client(None).get(post_url(post.slug)).status_code == 404
    assert writing.client("admin").get(post_url(post.slug)).status_code == 200


def test_a_scheduled_post_goes_public_at_its_time_without_any_job(writing: Writing) -> None:
    # given a draft scheduled for tomorrow
    post = make_post(writing, "draft")
    tomorrow = timezone.now() + timedelta(days=1)
    response = writing.client("admin").post(
        post_url(post.slug, "schedule/"), {"publish_at": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    visitor = writing.client(None)
    # then hidden until then
    assert visitor.get(post_url(post.slug)).status_code == 404
    assert slugs(visitor.get(POSTS)) == []
    # when the clock passes its time
    with at(tomorrow + timedelta(minutes=1)):
        read = visitor.get(post_url(post.slug))
        listed = slugs(visitor.get(POSTS))
    # then it is public, and reads as published
    assert read.status_code == 200 and read.json()["status"] == "published"
    assert listed == [post.slug]


def test_the_beat_job_marks_due_scheduled_posts_published_and_leaves_the_others(writing: Writing) -> None:
    # given one post due in an hour and one in two days
    soon = make_post(writing, "scheduled", publish_at=timezone.now() + timedelta(hours=1))
    later = make_post(writing, "scheduled", publish_at=timezone.now() + timedelta(days=2))
    # when the job runs in two hours
    with tenant_context(writing.tenant), at(timezone.now() + timedelta(hours=2)):
        done = posts_publish_due()
    # then
    assert done == [soon.pk]
    with tenant_context(writing.tenant):
        assert BlogPost.objects.get(pk=soon.pk).status == "published"
        assert BlogPost.objects.get(pk=later.pk).status == "scheduled"


def test_scheduling_in_the_past_is_a_400_and_a_live_post_a_409(writing: Writing) -> None:
    # given
    draft, live = make_post(writing, "draft"), make_post(writing, "published")
    admin = writing.client("admin")
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    # when
    too_early = admin.post(post_url(draft.slug, "schedule/"), {"publish_at": past}, format="json")
    naive = admin.post(post_url(draft.slug, "schedule/"), {"publish_at": "2040-01-01T10:00:00"}, format="json")
    on_live = admin.post(post_url(live.slug, "schedule/"), {"publish_at": future}, format="json")
    # then
    assert too_early.status_code == 400 and "publish_at" in too_early.json()["error"]["details"]
    assert naive.status_code == 400
    assert on_live.status_code == 409 and error_code(on_live) == "invalid_status_transition"
    assert admin.get(post_url(live.slug)).json()["status"] == "published"


def test_publishing_twice_keeps_the_first_publication_time(writing: Writing) -> None:
    # given
    post = make_post(writing, "published")
    admin = writing.client("admin")
    first = admin.get(post_url(post.slug)).json()["publish_at"]
    # when
    again = admin.post(post_url(post.slug, "publish/"))
    # then
    assert again.status_code == 200 and again.json()["publish_at"] == first


def test_a_title_that_clashes_gets_a_suffix_and_a_taken_slug_is_a_400(writing: Writing) -> None:
    # given
    make_post(writing, "draft", title="Citation styles")
    admin = writing.client("admin")
    # when
    second = admin.post(POSTS, {"title": "Citation styles"}, format="json")
    taken = admin.post(POSTS, {"title": "Other", "slug": "citation-styles"}, format="json")
    bad = admin.post(POSTS, {"title": "Other", "slug": "Not A Slug"}, format="json")
    reserved = admin.post(POSTS, {"title": "Other", "slug": "publish"}, format="json")
    # then
    assert second.status_code == 201 and second.json()["slug"] == "citation-styles-2"
    for refused in (taken, bad, reserved):
        assert refused.status_code == 400 and error_code(refused) == "validation_error"
        assert "slug" in refused.json()["error"]["details"]


def test_seo_fields_and_lists_have_length_limits(writing: Writing) -> None:
    admin = writing.client("admin")
    # when
    long_title = admin.post(POSTS, {"title": "A", "seo_title": "x" * 71}, format="json")
    long_description = admin.post(POSTS, {"title": "A", "seo_description": "x" * 161}, format="json")
    many_tags = admin.post(POSTS, {"title": "A", "tags": [f"t{i}" for i in range(21)]}, format="json")
    unknown_category = admin.post(POSTS, {"title": "A", "categories": [999999]}, format="json")
    blank_tag = admin.post(POSTS, {"title": "A", "tags": ["!!!"]}, format="json")
    # then
    for response, field in (
        (long_title, "seo_title"),
        (long_description, "seo_description"),
        (many_tags, "tags"),
        (unknown_category, "categories"),
        (blank_tag, "tags"),
    ):
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["details"]


def test_the_list_filters_by_category_and_tag_searches_and_orders(writing: Writing) -> None:
    # given
    tips = make_category(writing, name="Tips")
    make_post(writing, "published", title="Alpha thesis", categories=[tips.pk], tags=["Thesis"])
    make_post(writing, "published", title="Beta grammar", tags=["Grammar"])
    make_post(writing, "draft", title="Gamma thesis draft", categories=[tips.pk], tags=["Thesis"])
    visitor = writing.client(None)
    # then
    assert slugs(visitor.get(POSTS, {"category": "tips"})) == ["alpha-thesis"]
    assert slugs(visitor.get(POSTS, {"tag": "grammar"})) == ["beta-grammar"]
    assert slugs(visitor.get(POSTS, {"search": "thesis"})) == ["alpha-thesis"]
    assert slugs(visitor.get(POSTS, {"ordering": "title"})) == ["alpha-thesis", "beta-grammar"]
    assert slugs(visitor.get(POSTS, {"ordering": "-publish_at"})) == ["beta-grammar", "alpha-thesis"]
    assert visitor.get(POSTS, {"ordering": "body"}).status_code == 400
    admin_view = slugs(writing.client("admin").get(POSTS, {"status": "draft"}))
    assert admin_view == ["gamma-thesis-draft"]


def test_tags_are_made_on_the_fly_and_only_those_of_public_posts_are_listed(writing: Writing) -> None:
    # given a published post tagged "APA" and a draft tagged "Secret plan"
    make_post(writing, "published", tags=["APA", "apa"])
    make_post(writing, "draft", tags=["Secret plan", "APA"])
    # then one "apa" tag exists; visitors see it, not the draft's
    with tenant_context(writing.tenant):
        assert Tag.objects.filter(slug="apa").count() == 1
    public = slugs(writing.client(None).get(TAGS))
    every = slugs(writing.client("admin").get(TAGS))
    assert public == ["apa"]
    assert every == ["apa", "secret-plan"]


def test_patch_replaces_tags_and_categories_and_changes_the_slug(writing: Writing) -> None:
    # given
    post = make_post(writing, "published", tags=["One"])
    admin = writing.client("admin")
    # when
    response = admin.patch(post_url(post.slug), {"tags": ["Two"], "slug": "renamed", "excerpt": "New."}, format="json")
    # then
    assert response.status_code == 200, response.content
    assert response.json()["slug"] == "renamed" and [t["slug"] for t in response.json()["tags"]] == ["two"]
    assert writing.client(None).get(post_url(post.slug)).status_code == 404
    assert writing.client(None).get(post_url("renamed")).json()["excerpt"] == "New."


def test_a_cover_image_is_an_uploaded_image_served_by_a_signed_link(writing: Writing) -> None:
    # given an image and a PDF uploaded by the admin
    admin = writing.client("admin")
    image = admin.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("cover.png", PNG, content_type="image/png")}, format="multipart"
    ).json()
    pdf = admin.post(
        "/api/v1/files/",
        {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")},
        format="multipart",
    ).json()
    post = make_post(writing, "published")
    # when
    refused = admin.patch(post_url(post.slug), {"cover_image": pdf["id"]}, format="json")
    accepted = admin.patch(post_url(post.slug), {"cover_image": image["id"]}, format="json")
    # then
    assert refused.status_code == 400 and "cover_image" in refused.json()["error"]["details"]
    assert accepted.status_code == 200
    url = writing.client(None).get(post_url(post.slug)).json()["cover_image_url"]
    assert "signature=" in url
    link = urlsplit(url)
    download = writing.client(None).get(f"{link.path}?{link.query}")
    assert download.status_code == 200
    # and removing it
    cleared = admin.patch(post_url(post.slug), {"cover_image": None}, format="json")
    assert cleared.json()["cover_image_url"] is None


def test_an_admin_deletes_a_post_and_a_category(writing: Writing) -> None:
    # given
    category = make_category(writing)
    post = make_post(writing, "published", categories=[category.pk])
    admin = writing.client("admin")
    # when
    removed_category = admin.delete(f"{CATEGORIES}{category.pk}/")
    still = writing.client(None).get(post_url(post.slug))
    removed_post = admin.delete(post_url(post.slug))
    # then
    assert removed_category.status_code == 204 and removed_post.status_code == 204
    assert still.status_code == 200 and still.json()["categories"] == []
    assert admin.get(post_url(post.slug)).status_code == 404
