"""Query filters of ``GET /api/v1/products/`` (django-filter); invalid values answer 400."""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters

from saas.api.filters import StrictBooleanFilter
from tenant_apps.school.lessons.models import Product


class _IdFilter(filters.NumberFilter):
    """A whole, positive database id (``NumberFilter`` would take decimals)."""

    field_class = forms.IntegerField


class ProductFilter(filters.FilterSet):
    """``author`` (id), ``currency``, ``price_min``/``price_max`` (inclusive), ``is_published``
    (only changes anything for staff: others see published products and their own)."""

    author = _IdFilter(field_name="author_id", min_value=1, max_value=2**63 - 1)
    currency = filters.CharFilter(field_name="currency", lookup_expr="iexact", max_length=3)
    price_min = filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = filters.NumberFilter(field_name="price", lookup_expr="lte")
    is_published = StrictBooleanFilter(field_name="is_published")

    class Meta:
        model = Product
        fields = ("author", "currency", "price_min", "price_max", "is_published")
