"""The site's content (one schema per writing site): blog posts and service pages.

* ``Category``: a blog section, managed by admins (``slug`` unique).
* ``Tag``: a label, created on the fly when a post names it (``slug`` unique, from the name).
* ``BlogPost``: ``draft`` (admins only), ``scheduled`` (public from ``publish_at``, without waiting
  for any job: ``selectors.public_posts``), ``published`` (public; ``publish_at`` is when it went
  public). ``body`` is HTML cleaned by ``sanitize.clean_html`` on every write.
* ``ServicePage``: a page describing one service (title, slug, body, a "from" price, FAQ blocks),
  public when ``is_published``; listed by ``position``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

TITLE_MAX_LENGTH = 200
SLUG_MAX_LENGTH = 200
EXCERPT_MAX_LENGTH = 500
#: Search engines show about 60 characters of a title and 160 of a description.
SEO_TITLE_MAX_LENGTH = 70
SEO_DESCRIPTION_MAX_LENGTH = 160
CATEGORY_NAME_MAX_LENGTH = 80
TAG_NAME_MAX_LENGTH = 50


class PostStatus(models.TextChoices):
    """Where a blog post is in its life."""

    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class Category(models.Model):
    """A blog section (``slug`` unique), listed by ``position`` then name."""

    name = models.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=CATEGORY_NAME_MAX_LENGTH, unique=True)
    description = models.CharField(max_length=300, blank=True, default="")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "name", "id")
        verbose_name_plural = "categories"
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="writing_cms_category_slug_not_blank")]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label of blog posts, made the first time a post names it (``slug`` from the name, unique)."""

    name = models.CharField(max_length=TAG_NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=TAG_NAME_MAX_LENGTH + 10, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="writing_cms_tag_slug_not_blank")]

    def __str__(self) -> str:
        return self.name


class BlogPost(models.Model):
    """A blog post. ``status`` with ``publish_at``: a draft has none; a scheduled post goes public at
    ``publish_at``; a published one has been public since ``publish_at`` (database constraint).
    ``cover_image``: a stored image (``tenant_apps.files``), served by a signed URL."""

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    excerpt = models.CharField(max_length=EXCERPT_MAX_LENGTH, blank=True, default="")
    body = models.TextField(blank=True, default="")
    cover_image = models.ForeignKey(
        "files.StoredFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="blog_posts"
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="posts")
    tags = models.ManyToManyField(Tag, blank=True, related_name="posts")
    seo_title = models.CharField(max_length=SEO_TITLE_MAX_LENGTH, blank=True, default="")
    seo_description = models.CharField(max_length=SEO_DESCRIPTION_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-publish_at", "-id")
        indexes = [models.Index(fields=("status", "publish_at"), name="writing_cms_post_public")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PostStatus.values), name="writing_cms_post_status_valid"),
            models.CheckConstraint(
                condition=Q(status=PostStatus.DRAFT, publish_at__isnull=True)
                | Q(status__in=(PostStatus.SCHEDULED, PostStatus.PUBLISHED), publish_at__isnull=False),
                name="writing_cms_post_publish_at_by_status",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_cms_post_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title


class ServicePage(models.Model):
    """A page describing one service: ``price_from`` (``None``: no price shown; else > 0 in
    ``currency``), ``faq`` a list of ``{"question": text, "answer": clean HTML}``; public when
    ``is_published``, listed by ``position`` then title."""

    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    body = models.TextField(blank=True, default="")
    price_from = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3)
    faq = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    seo_title = models.CharField(max_length=SEO_TITLE_MAX_LENGTH, blank=True, default="")
    seo_description = models.CharField(max_length=SEO_DESCRIPTION_MAX_LENGTH, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "title", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(price_from__isnull=True) | Q(price_from__gt=0), name="writing_cms_page_price_positive"
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="writing_cms_page_slug_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title
