"""Row locks of the catalog (the platform-wide order is in docs/architecture.md, "Locks in one
order"): products are locked in primary-key order, before any wallet; a brand before the
products it is assigned to; the category tree is changed under one advisory lock
(``category_tree_lock``), then the rows of the subtree it changes, before any product.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from saas.db.tenant import current_schema
from tenant_apps.store.catalog.models import Brand, Category, Product, SaleEvent


def products_lock(pks: Iterable[int]) -> dict[int, Product]:
    """The products ``pks``, locked in primary-key order until the transaction ends (call inside
    ``transaction.atomic``), by id. Missing ids are absent from the result.

    Checkout, cancellation, returns (restock), reviews (rating aggregates) and auctions take
    product locks only through this function or ``product_lock``, so two transactions locking
    overlapping sets of products always lock them in the same order and cannot deadlock.
    """
    ordered = sorted(set(pks))
    return {
        p.pk: p
        for p in Product.objects.select_for_update(no_key=True, of=("self",)).filter(pk__in=ordered).order_by("pk")
    }


def product_lock(pk: int) -> Product:
    """The product ``pk`` locked until the transaction ends; ``Product.DoesNotExist`` if missing."""
    return Product.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)


def brand_lock(pk: int) -> Brand:
    """The brand ``pk`` locked until the transaction ends (approval, rejection, assignment)."""
    return Brand.objects.select_for_update(no_key=True).get(pk=pk)


def category_tree_lock() -> None:
    """Hold the site's category-tree advisory lock until the transaction ends (call inside
    ``transaction.atomic``): every structural change (create, move, delete) takes it first, as
    treebeard computes new paths from the rows it reads, and two inserts under one parent would
    otherwise compute the same path. Advisory locks span the database: the key names the schema.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{current_schema()}:catalog.category_tree"])


def category_lock(pk: int) -> Category:
    """The category ``pk`` locked until the transaction ends (moves and deletions of its subtree)."""
    return Category.objects.select_for_update(no_key=True).get(pk=pk)


def category_subtree_lock(category: Category) -> list[Category]:
    """``category`` and every category under it, locked in path order until the transaction ends.

    A deletion takes it before checking the subtree has no products; a product created in (or
    moved to) a category locks that category (``category_lock``) first, so the check and the new
    product cannot pass each other.
    """
    return list(Category.objects.select_for_update(no_key=True).filter(path__startswith=category.path).order_by("path"))


def sale_event_lock(pk: int) -> SaleEvent:
    """The sale event ``pk`` locked until the transaction ends (edits of its window and products)."""
    return SaleEvent.objects.select_for_update(no_key=True).get(pk=pk)
