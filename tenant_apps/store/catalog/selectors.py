"""Reads on the store's catalog, starting from the scopes in ``access.py`` (``products_visible_to``,
``brands_visible_to``); one object is fetched, checked, by the ``access.access_*`` functions.

Product lists load a page in a fixed number of queries: seller, category and brand joined, images
with their files prefetched, and effective prices for the whole page in one sale-event query
(``pricing.effective_prices``, called by the serializer's list).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import F, FloatField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Length, Substr

from saas.db import extensions
from tenant_apps.store.catalog.access import brands_visible_to, products_visible_to
from tenant_apps.store.catalog.models import Brand, Category, Product, ProductImage, SaleEvent

#: Title word similarity (pg_trgm ``word_similarity``, 0-1) from which a title matches a search
#: despite typos ("iphnoe" finds "iPhone 15").
TRIGRAM_THRESHOLD = 0.3


def with_details(products: QuerySet[Product]) -> QuerySet[Product]:
    """``products`` with what the API shows loaded: seller, category, brand, ordered images and files."""
    images = ProductImage.objects.select_related("file", "thumbnail").order_by("position", "id")
    return products.select_related("seller", "category", "brand").prefetch_related(Prefetch("images", queryset=images))


def product_list(*, user: Any) -> QuerySet[Product]:
    """Products ``user`` may see, newest first, loaded for the API."""
    return with_details(products_visible_to(user)).order_by("-created_at", "-id")


def search_products(products: QuerySet[Product], text: str) -> QuerySet[Product]:
    """``products`` matching ``text``, best first: PostgreSQL full-text search on ``search_vector``
    (English, ``websearch`` syntax: quotes, ``or``, ``-word``) **or** a title whose trigram word
    similarity reaches ``TRIGRAM_THRESHOLD`` (typos). Ranked by ``ts_rank`` plus the similarity;
    ties newest first. A blank ``text`` leaves ``products`` as they are. Without ``pg_trgm`` in the
    database (``saas.db.extensions``), full-text matches only.
    """
    text = " ".join(text.split())
    if not text:
        return products
    query = SearchQuery(text, search_type="websearch", config="english")
    ranked = products.annotate(
        search_rank=Coalesce(SearchRank(F("search_vector"), query), Value(0.0), output_field=FloatField())
    )
    if not extensions.installed("pg_trgm"):  # the embedded server: full-text only, no typo tolerance
        return ranked.filter(search_vector=query).order_by("-search_rank", "-created_at", "-id")
    return (
        ranked.annotate(title_similarity=TrigramWordSimilarity(text, "title"))
        .filter(Q(search_vector=query) | Q(title_similarity__gte=TRIGRAM_THRESHOLD))
        .order_by((F("search_rank") + F("title_similarity")).desc(), "-created_at", "-id")
    )


def category_list() -> QuerySet[Category]:
    """Every category in tree order (depth first; siblings by name): parents before children, each
    with ``parent_id`` (``None`` for roots) read in the same query."""
    parents = Category.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Category.steplen)
    ).values("pk")[:1]
    return Category.objects.annotate(parent_id=Subquery(parents)).order_by("path")


def brand_list(*, user: Any) -> QuerySet[Brand]:
    """Brands ``user`` may see, by name, with their owner."""
    return brands_visible_to(user).select_related("owner").order_by("name", "id")


def sale_event_list() -> QuerySet[SaleEvent]:
    """Every sale event, latest start first, with its products' ids prefetched (admins)."""
    return SaleEvent.objects.prefetch_related(Prefetch("products", queryset=Product.objects.only("id"))).order_by(
        "-starts_at", "-id"
    )


def products_count() -> int:
    """The site's usage of its plan's ``products`` limit (``store/kind.py``): every product listed,
    whatever its approval or sale state (products are never deleted: a seller takes one off sale
    with ``is_active``, which keeps its slot). One query."""
    return Product.objects.count()
