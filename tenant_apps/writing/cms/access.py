"""Who may see and do what with the site's content (roles: ``tenant_apps/writing/kind.py``).

| action | who |
| --- | --- |
| read public posts (published, or scheduled and due), categories, tags of public posts | anyone |
| read published service pages | anyone |
| read drafts, future scheduled posts, unpublished pages and every tag | admin |
| create, change, publish, unpublish, schedule, delete posts, categories and service pages | admin |

A post or page a user may not see answers 404, exactly like a missing one (``access_post``,
``access_service_page``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from saas.errors import NotFound
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.writing.cms.models import BlogPost, Category, PostStatus, ServicePage, Tag

#: Manage the blog and the service pages.
CMS_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)


def can_manage_content(user: Any) -> bool:
    """Whether ``user`` manages the site's content (an active admin)."""
    active = bool(user is not None and user.is_authenticated and user.is_active)
    return active and user_has_role(user, *CMS_ADMIN_ROLES)


def public_post_q() -> Q:
    """The condition of a post anyone may read, at this moment: published, or scheduled with its
    ``publish_at`` passed (no job needs to have run for a scheduled post to show)."""
    return Q(status=PostStatus.PUBLISHED) | Q(status=PostStatus.SCHEDULED, publish_at__lte=timezone.now())


def posts_visible_to(user: Any) -> QuerySet[BlogPost]:
    """Posts ``user`` may read: an admin every one, anyone else the public ones (``public_post_q``)."""
    posts = BlogPost.objects.all()
    return posts if can_manage_content(user) else posts.filter(public_post_q())


def categories_visible_to(user: Any) -> QuerySet[Category]:
    """Every category (they are public, even without posts)."""
    return Category.objects.all()


def tags_visible_to(user: Any) -> QuerySet[Tag]:
    """Tags ``user`` may see: an admin every one, anyone else those of at least one public post
    (a draft's tags tell nothing of it)."""
    tags = Tag.objects.all()
    if can_manage_content(user):
        return tags
    return tags.filter(
        pk__in=BlogPost.tags.through.objects.filter(blogpost__in=posts_visible_to(user)).values("tag_id")
    )


def service_pages_visible_to(user: Any) -> QuerySet[ServicePage]:
    """Service pages ``user`` may read: an admin every one, anyone else the published ones."""
    pages = ServicePage.objects.all()
    return pages if can_manage_content(user) else pages.filter(is_published=True)


def access_post(*, user: Any, slug: str) -> BlogPost:
    """The post ``slug`` if ``user`` may read it, with its author, cover, categories and tags;
    ``NotFound`` (404) otherwise, whether it exists or not."""
    from tenant_apps.writing.cms.selectors import with_relations

    post = with_relations(posts_visible_to(user)).filter(slug=slug).first()
    if post is None:
        raise NotFound("No such post.")
    return post


def access_category(*, user: Any, pk: Any) -> Category:
    """The category ``pk``; ``NotFound`` (404) when missing."""
    category = categories_visible_to(user).filter(pk=pk).first()
    if category is None:
        raise NotFound("No such category.")
    return category


def access_service_page(*, user: Any, slug: str) -> ServicePage:
    """The service page ``slug`` if ``user`` may read it; ``NotFound`` (404) otherwise."""
    page = service_pages_visible_to(user).filter(slug=slug).first()
    if page is None:
        raise NotFound("No such service page.")
    return page
