"""Query filters of the review lists (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter
from tenant_apps.writing.reviews.models import OrderReview, ReviewStatus, WebsiteReview


class OrderReviewFilter(filters.FilterSet):
    """``GET /api/v1/reviews/orders/`` filters: ``status`` (repeatable: ``pending``,
    ``published``, ``hidden``)."""

    status = ColumnChoicesFilter(field_name="status", choices=ReviewStatus.choices)

    class Meta:
        model = OrderReview
        fields = ("status",)


class WebsiteReviewFilter(filters.FilterSet):
    """``GET /api/v1/reviews/website/manage/`` filters: ``status`` (repeatable)."""

    status = ColumnChoicesFilter(field_name="status", choices=ReviewStatus.choices)

    class Meta:
        model = WebsiteReview
        fields = ("status",)
