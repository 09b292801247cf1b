"""Demo content of a writing site (``tenant_apps/writing/demo.py`` calls ``seed``): blog categories,
posts in each status (two published, one scheduled a week ahead, one draft) with tags, and two
published service pages with FAQ blocks. Written through the services as the site's admin;
idempotent: a row whose slug exists is left alone, so a second call adds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tenant_apps.writing.cms.models import BlogPost, Category, ServicePage
from tenant_apps.writing.cms.services import (
    category_create,
    post_create,
    post_publish,
    post_schedule,
    service_page_create,
)

CATEGORIES = (
    ("essay-writing", "Essay writing", "Structure, arguments and style."),
    ("research", "Research", "Sources, citations and reading lists."),
    ("study-tips", "Study tips", "Planning, focus and deadlines."),
)

#: (slug, title, status, category slug, tags, excerpt, body)
POSTS = (
    (
        "how-to-write-a-strong-thesis-statement",
        "How to write a strong thesis statement",
        "published",
        "essay-writing",
        ["Thesis", "Essays"],
        "One sentence that carries the whole essay: what it needs and what to avoid.",
        "<h2>Make a claim</h2><p>A thesis takes a position someone could <em>disagree</em> with.</p>"
        "<h2>Keep it narrow</h2><p>Name the scope: a period, a place, a group.</p>",
    ),
    (
        "apa-vs-mla-citation-styles-compared",
        "APA vs MLA: citation styles compared",
        "published",
        "research",
        ["Citations", "APA", "MLA"],
        "Which style your paper needs, and the differences that cost marks.",
        "<p>APA puts the year first; MLA the page.</p><ul><li>APA: (Smith, 2020, p. 4)</li>"
        '<li>MLA: (Smith 4)</li></ul><p>See the <a href="https://apastyle.apa.org">APA style site</a>.</p>',
    ),
    (
        "planning-your-dissertation-timeline",
        "Planning your dissertation timeline",
        "scheduled",
        "study-tips",
        ["Dissertation", "Planning"],
        "Work back from the deadline: a month-by-month plan.",
        "<p>Start with the submission date and count back.</p>",
    ),
    (
        "ten-proofreading-habits",
        "Ten proofreading habits",
        "draft",
        "essay-writing",
        ["Editing"],
        "Read it aloud, then read it backwards.",
        "<p>Draft: habits to be written up.</p>",
    ),
)

#: (slug, title, price_from, body, faq)
PAGES = (
    (
        "essay-writing",
        "Essay writing",
        "12.00",
        "<p>Original essays at every academic level, written to your brief and your deadline.</p>",
        [
            {"question": "Is every essay original?", "answer": "<p>Yes: written from scratch for you.</p>"},
            {"question": "Can I ask for changes?", "answer": "<p>Free revisions within 14 days.</p>"},
        ],
    ),
    (
        "editing-and-proofreading",
        "Editing and proofreading",
        "8.00",
        "<p>Grammar, flow, structure and references checked by an editor.</p>",
        [
            {"question": "Do you rewrite my text?", "answer": "<p>No: we correct and suggest; it stays yours.</p>"},
            {"question": "How fast?", "answer": "<p>From 24 hours.</p>"},
        ],
    ),
)


def seed(people: dict[str, Any]) -> None:
    """Add the demo categories, posts and service pages (as ``people["admin"]``), each once."""
    admin = people["admin"]
    for slug, name, description in CATEGORIES:
        if not Category.objects.filter(slug=slug).exists():
            category_create(actor=admin, name=name, slug=slug, description=description)
    categories = dict(Category.objects.values_list("slug", "pk"))
    for slug, title, status, category, tags, excerpt, body in POSTS:
        if BlogPost.objects.filter(slug=slug).exists():
            continue
        post = post_create(
            actor=admin,
            title=title,
            slug=slug,
            excerpt=excerpt,
            body=body,
            categories=[categories[category]],
            tags=tags,
            seo_title=title[:70],
            seo_description=excerpt[:160],
        )
        if status == "published":
            post_publish(actor=admin, post=post)
        elif status == "scheduled":
            post_schedule(actor=admin, post=post, publish_at=timezone.now() + timedelta(days=7))
    for position, (slug, title, price_from, body, faq) in enumerate(PAGES, start=1):
        if not ServicePage.objects.filter(slug=slug).exists():
            service_page_create(
                actor=admin,
                title=title,
                slug=slug,
                body=body,
                price_from=price_from,
                faq=faq,
                is_published=True,
                position=position,
            )
