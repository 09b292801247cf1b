"""Query filters of the catalog's lists (django-filter, strict fields: a bad value answers 400)."""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters

from saas.api.filters import ColumnChoicesFilter, IdFilter, StrictBooleanFilter
from tenant_apps.store.catalog import selectors
from tenant_apps.store.catalog.models import Brand, BrandStatus, Category, Product, ProductStatus


class ProductFilter(filters.FilterSet):
    """``GET /api/v1/products/`` filters.

    * ``search``: full-text (English, ``websearch`` syntax) or typo-tolerant title match, best
      first unless ``ordering`` is given (``selectors.search_products``);
    * ``category``: an id or a slug; the category **and everything under it** (a treebeard path
      prefix); an unknown one matches nothing;
    * ``brand``, ``seller``: ids; ``min_price``/``max_price``: inclusive bounds on the seller's
      ``price`` (before discounts); ``in_stock``: ``true`` (stock > 0) or ``false``;
      ``min_rating``: ``avg_rating`` at least this (0-5); ``status``: moderation state (only
      narrows what you may see: others see approved products only).
    """

    search = filters.CharFilter(method="filter_search", max_length=200, help_text="Words to look for.")
    category = filters.CharFilter(
        method="filter_category", max_length=140, help_text="A category id or slug (includes its subcategories)."
    )
    brand = IdFilter(field_name="brand_id")
    seller = IdFilter(field_name="seller_id")
    min_price = filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0, max_value=10**10)
    max_price = filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0, max_value=10**10)
    in_stock = StrictBooleanFilter(method="filter_in_stock")
    min_rating = filters.NumberFilter(field_name="avg_rating", lookup_expr="gte", min_value=0, max_value=5)
    status = ColumnChoicesFilter(field_name="status", choices=ProductStatus.choices)

    class Meta:
        model = Product
        fields = (
            "search",
            "category",
            "brand",
            "seller",
            "min_price",
            "max_price",
            "in_stock",
            "min_rating",
            "status",
        )

    def filter_search(self, queryset: Any, name: str, value: str) -> Any:
        return selectors.search_products(queryset, value)

    def filter_category(self, queryset: Any, name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        lookup = {"pk": int(value)} if value.isascii() and value.isdigit() and len(value) < 19 else {"slug": value}
        path = Category.objects.filter(**lookup).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(category__path__startswith=path)

    def filter_in_stock(self, queryset: Any, name: str, value: bool | None) -> Any:
        if value is None:
            return queryset
        return queryset.filter(stock__gt=0) if value else queryset.filter(stock=0)


class BrandFilter(filters.FilterSet):
    """``GET /api/v1/brands/`` filters: ``status`` (several allowed; narrows what you may see),
    ``owner`` (an id)."""

    status = ColumnChoicesFilter(field_name="status", choices=BrandStatus.choices)
    owner = IdFilter(field_name="owner_id")

    class Meta:
        model = Brand
        fields = ("status", "owner")
