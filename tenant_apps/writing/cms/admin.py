"""The writing site's admin of its content: blog posts (publish, unpublish, schedule), service
pages (publish, hide) and blog categories, each move through the service the API calls
(``views.py``); the texts themselves are edited through the API, whose services clean the HTML."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.writing.cms import services
from tenant_apps.writing.cms.access import access_post, access_service_page
from tenant_apps.writing.cms.models import BlogPost, Category, ServicePage


class ScheduleForm(forms.Form):
    """When the selected posts go public (in the future; the site's time zone)."""

    publish_at = forms.DateTimeField(
        label="Publish at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


@register(BlogPost)
class BlogPostAdmin(ServiceModelAdmin):
    """Blog posts: read-only; their status moved with the actions."""

    list_display = ("title", "slug", "status", "publish_at", "author", "updated_at")
    list_filter = ("status", "categories", "publish_at")
    search_fields = ("title", "slug", "excerpt", "tags__name")
    list_select_related = ("author",)
    date_hierarchy = "publish_at"
    actions = ("publish_posts", "unpublish_posts", "schedule_posts")

    def get_queryset(self, request: HttpRequest) -> QuerySet[BlogPost]:
        """Posts with their author, and categories and tags in one query each (the change page)."""
        return super().get_queryset(request).select_related("author").prefetch_related("categories", "tags")

    @service_action(description="Publish the selected posts now", success="{count} published.")
    def publish_posts(self, request: HttpRequest, post: BlogPost) -> None:
        """``services.post_publish`` (as ``POST /blog/posts/{slug}/publish/``)."""
        services.post_publish(actor=request.user, post=access_post(user=request.user, slug=post.slug))

    @service_action(description="Unpublish the selected posts (back to draft)", success="{count} unpublished.")
    def unpublish_posts(self, request: HttpRequest, post: BlogPost) -> None:
        """``services.post_unpublish`` (as ``POST /blog/posts/{slug}/unpublish/``)."""
        services.post_unpublish(actor=request.user, post=access_post(user=request.user, slug=post.slug))

    @form_action(form=ScheduleForm, description="Schedule the selected posts", success="{count} scheduled.")
    def schedule_posts(self, request: HttpRequest, post: BlogPost, **data: Any) -> None:
        """``services.post_schedule`` (as ``POST /blog/posts/{slug}/schedule/``)."""
        found = access_post(user=request.user, slug=post.slug)
        services.post_schedule(actor=request.user, post=found, publish_at=data["publish_at"])


@register(ServicePage)
class ServicePageAdmin(ServiceModelAdmin):
    """Service pages: read-only; shown or hidden with the actions (``service_page_update``)."""

    list_display = ("title", "slug", "is_published", "price_from", "currency", "position", "updated_at")
    list_filter = ("is_published",)
    search_fields = ("title", "slug")
    ordering = ("position", "id")
    actions = ("publish_pages", "hide_pages")

    @service_action(description="Publish the selected pages", success="{count} published.")
    def publish_pages(self, request: HttpRequest, page: ServicePage) -> None:
        """``services.service_page_update(is_published=True)`` (as ``PATCH /service-pages/{slug}/``)."""
        found = access_service_page(user=request.user, slug=page.slug)
        services.service_page_update(actor=request.user, page=found, is_published=True)

    @service_action(description="Hide the selected pages", success="{count} hidden.")
    def hide_pages(self, request: HttpRequest, page: ServicePage) -> None:
        """``services.service_page_update(is_published=False)`` (as ``PATCH /service-pages/{slug}/``)."""
        found = access_service_page(user=request.user, slug=page.slug)
        services.service_page_update(actor=request.user, page=found, is_published=False)


@register(Category)
class CategoryAdmin(ServiceModelAdmin):
    """Blog categories (read-only; managed through the API)."""

    list_display = ("name", "slug", "position")
    search_fields = ("name", "slug")
    ordering = ("position", "name")
