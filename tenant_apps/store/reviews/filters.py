"""Query filters of the review list (django-filter); invalid values answer 400."""

from __future__ import annotations

from django_filters import rest_framework as filters

from saas.api.filters import IdFilter


class ReviewFilter(filters.FilterSet):
    """``product`` (id), ``author`` (user id), ``rating`` (1-5)."""

    product = IdFilter(field_name="product_id")
    author = IdFilter(field_name="author_id")
    rating = IdFilter(field_name="rating", max_value=5)
