"""The writing site's admin of reviews: clients' reviews of their orders and of the site, with
moderation (publish, hide) through the services the API calls (``views.py``)."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.writing.reviews import services
from tenant_apps.writing.reviews.access import access_order_review, access_website_review
from tenant_apps.writing.reviews.models import OrderReview, WebsiteReview


@register(OrderReview)
class OrderReviewAdmin(ServiceModelAdmin):
    """Order reviews: read-only; moderated with the actions."""

    list_display = ("id", "order", "client", "writer", "rating", "status", "moderated_by", "created_at")
    list_filter = ("status", "rating", "created_at")
    search_fields = ("text", "order__number", "client__email", "client__full_name", "writer__email")
    list_select_related = ("order", "client", "writer", "moderated_by")
    date_hierarchy = "created_at"
    actions = ("publish_reviews", "hide_reviews")

    @service_action(description="Publish the selected reviews", success="{count} published.")
    def publish_reviews(self, request: HttpRequest, review: OrderReview) -> None:
        """``services.review_publish`` (as ``POST /reviews/orders/{id}/publish/``)."""
        services.review_publish(review=access_order_review(user=request.user, pk=review.pk), actor=request.user)

    @service_action(description="Hide the selected reviews", success="{count} hidden.")
    def hide_reviews(self, request: HttpRequest, review: OrderReview) -> None:
        """``services.review_hide`` (as ``POST /reviews/orders/{id}/hide/``)."""
        services.review_hide(review=access_order_review(user=request.user, pk=review.pk), actor=request.user)


@register(WebsiteReview)
class WebsiteReviewAdmin(ServiceModelAdmin):
    """Reviews of the site: read-only; moderated with the actions."""

    list_display = ("id", "client", "rating", "status", "moderated_by", "created_at")
    list_filter = ("status", "rating", "created_at")
    search_fields = ("text", "client__email", "client__full_name")
    list_select_related = ("client", "moderated_by")
    date_hierarchy = "created_at"
    actions = ("publish_reviews", "hide_reviews")

    @service_action(description="Publish the selected reviews", success="{count} published.")
    def publish_reviews(self, request: HttpRequest, review: WebsiteReview) -> None:
        """``services.review_publish`` (as ``POST /reviews/website/{id}/publish/``)."""
        services.review_publish(review=access_website_review(user=request.user, pk=review.pk), actor=request.user)

    @service_action(description="Hide the selected reviews", success="{count} hidden.")
    def hide_reviews(self, request: HttpRequest, review: WebsiteReview) -> None:
        """``services.review_hide`` (as ``POST /reviews/website/{id}/hide/``)."""
        services.review_hide(review=access_website_review(user=request.user, pk=review.pk), actor=request.user)
