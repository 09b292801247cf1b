"""Query filters of the blog posts list (django-filter, strict fields: a bad value answers 400
``validation_error`` naming the parameter)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.cms.models import BlogPost, PostStatus


class PostFilter(filters.FilterSet):
    """``GET /api/v1/blog/posts/``: ``?category=<slug>``, ``?tag=<slug>``, ``?status=`` (stored
    status, repeatable: useful to admins, who see every post; anyone else sees public posts only);
    ``ordering``: ``publish_at``, ``title``, ``created_at`` (``-`` for descending; default newest
    first). ``?search=`` (title, excerpt, body) is DRF's ``SearchFilter``."""

    category = filters.CharFilter(field_name="categories__slug", max_length=80)
    tag = filters.CharFilter(field_name="tags__slug", max_length=60)
    status = ColumnChoicesFilter(field_name="status", choices=PostStatus.choices)
    ordering = filters.OrderingFilter(
        fields=(("publish_at", "publish_at"), ("title", "title"), ("created_at", "created_at"))
    )

    class Meta:
        model = BlogPost
        fields = ("category", "tag", "status")
