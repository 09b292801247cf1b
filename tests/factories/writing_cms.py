"""Writing CMS content (writing kind), made by ``writing.cms.services`` as the site's admin: blog
categories, blog posts (walked to their status through the services) and service pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.utils import timezone

from tenant_apps.writing.cms.models import BlogPost, Category, ServicePage
from tenant_apps.writing.cms.services import (
    category_create,
    post_create,
    post_publish,
    post_schedule,
    service_page_create,
)
from tests.factories.base import ServiceFactory, site_admin


class BlogCategoryFactory(ServiceFactory[Category]):
    """A blog category made by ``category_create``; slug from the name."""

    class Meta:
        model = Category

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Category {n}")

    @classmethod
    def _create(cls, model_class: type[Category], *args: Any, **kwargs: Any) -> Category:
        return category_create(**kwargs)


class BlogPostFactory(ServiceFactory[BlogPost]):
    """A post made by ``post_create`` (a draft, the admin its author), then moved to ``status``
    by the services: ``published`` (``post_publish``) or ``scheduled`` (``post_schedule`` at
    ``publish_at``, default a day from now). Traits ``published`` and ``scheduled``."""

    class Meta:
        model = BlogPost

    class Params:
        published = factory.Trait(status="published")
        scheduled = factory.Trait(status="scheduled")

    actor = factory.LazyFunction(site_admin)
    status = "draft"
    publish_at: datetime | None = None
    title = factory.Sequence(lambda n: f"Post {n}")
    body = "<p>Some words.</p>"

    @classmethod
    def _create(
        cls,
        model_class: type[BlogPost],
        *args: Any,
        status: str = "draft",
        publish_at: datetime | None = None,
        **kwargs: Any,
    ) -> BlogPost:
        post = post_create(**kwargs)
        actor = kwargs["actor"]
        if status == "published":
            post = post_publish(actor=actor, post=post)
        elif status == "scheduled":
            post = post_schedule(actor=actor, post=post, publish_at=publish_at or timezone.now() + timedelta(days=1))
        elif status != "draft":
            raise ValueError(f"unknown post status {status!r}")
        return post


class ServicePageFactory(ServiceFactory[ServicePage]):
    """A service page made by ``service_page_create``: published, from 49.00 in the site's pricing
    currency, one FAQ block. Trait ``hidden``: not published."""

    class Meta:
        model = ServicePage

    class Params:
        hidden = factory.Trait(is_published=False)

    actor = factory.LazyFunction(site_admin)
    title = factory.Sequence(lambda n: f"Service {n}")
    body = "<p>What we do.</p>"
    price_from = "49.00"
    faq = factory.LazyFunction(lambda: [{"question": "How fast?", "answer": "<p>Within a day.</p>"}])
    is_published = True

    @classmethod
    def _create(cls, model_class: type[ServicePage], *args: Any, **kwargs: Any) -> ServicePage:
        return service_page_create(**kwargs)
