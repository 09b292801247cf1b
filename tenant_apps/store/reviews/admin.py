"""Reviews in the store's admin: every review (read-only: its text is its author's), and the one
admin move of the API, deleting a review through ``review_delete`` (the product's average rating
and count are recomputed under its lock, and the deletion audited), with the signed-in admin as
the actor."""

from __future__ import annotations

from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from tenant_apps.store.reviews import services
from tenant_apps.store.reviews.access import access_review
from tenant_apps.store.reviews.models import Review


@register(Review)
class ReviewAdmin(ServiceModelAdmin):
    """Reviews, newest first, by rating and product; deleted only through the service."""

    list_display = ("__str__", "product", "author", "order", "rating", "title", "created_at")
    list_filter = ("rating",)
    search_fields = ("title", "body", "product__title", "author__email", "order__number")
    list_select_related = ("product", "author", "order")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ("delete_reviews",)

    @service_action(description="Delete the selected reviews", success="{count} deleted.")
    def delete_reviews(self, request: HttpRequest, review: Review) -> None:
        services.review_delete(review=access_review(user=request.user, pk=review.pk), actor=request.user)
