"""The CMS demo seeder: posts in each status with categories and tags, two service pages with
FAQs; a second run adds nothing."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from tenant_apps.writing.cms.demo import seed
from tenant_apps.writing.cms.models import BlogPost, Category, ServicePage, Tag
from tests.tenant_apps.writing.cms.conftest import PAGES, POSTS, slugs
from tests.tenant_apps.writing.conftest import Writing


def _counts() -> tuple[int, ...]:
    return (
        Category.objects.count(),
        Tag.objects.count(),
        BlogPost.objects.count(),
        ServicePage.objects.count(),
        BlogPost.tags.through.objects.count(),
    )


def test_the_cms_demo_seeds_each_state_once(writing: Writing) -> None:
    # given the people of the site
    people = {
        "admin": writing.admin,
        "client": writing.cleo,
        "client2": writing.carl,
        "writer": writing.wren,
        "writer2": writing.will,
        "writer3": writing.will,
        "editor": writing.eddie,
        "support": writing.sue,
    }
    with tenant_context(writing.tenant):
        # when it runs twice
        seed(people)
        counts = _counts()
        seed(people)
        # then the second run added nothing
        assert _counts() == counts
        assert sorted(BlogPost.objects.values_list("status", flat=True)) == [
            "draft",
            "published",
            "published",
            "scheduled",
        ]
        assert Category.objects.count() == 3 and Tag.objects.count() == 8
        assert all(p.categories.exists() and p.tags.exists() for p in BlogPost.objects.all())
        assert [len(p.faq) for p in ServicePage.objects.filter(is_published=True)] == [2, 2]
    # and visitors see the two published posts and both pages
    visitor = writing.client(None)
    assert sorted(slugs(visitor.get(POSTS))) == [
        "apa-vs-mla-citation-styles-compared",
        "how-to-write-a-strong-thesis-statement",
    ]
    assert slugs(visitor.get(PAGES)) == ["essay-writing", "editing-and-proofreading"]
