"""Row locks of the catalog (the platform-wide order is in docs/architecture.md, "Locks in one
order"): products are locked in primary-key order, before any wallet; a brand before the
products it is assigned to; a category's subtree is changed under the category's lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from tenant_apps.store.catalog.models import Brand, Category, Product


def products_lock(pks: Iterable[int]) -> dict[int, Product]:
    """The products ``pks``, locked in primary-key order until the transaction ends (call inside
    ``transaction.atomic``), by id. Missing ids are absent from the result.

    Checkout, cancellation, returns (restock), reviews (rating aggregates) and auctions take
    product locks only through this function or ``product_lock``, so two transactions locking
    overlapping sets of products always lock them in the same order and cannot deadlock.
    """
    ordered = sorted(set(pks))
    return {p.pk: p for p in Product.objects.select_for_update(of=("self",)).filter(pk__in=ordered).order_by("pk")}


def product_lock(pk: int) -> Product:
    """The product ``pk`` locked until the transaction ends; ``Product.DoesNotExist`` if missing."""
    return Product.objects.select_for_update(of=("self",)).get(pk=pk)


def brand_lock(pk: int) -> Brand:
    """The brand ``pk`` locked until the transaction ends (approval, rejection, assignment)."""
    return Brand.objects.select_for_update().get(pk=pk)


def category_lock(pk: int) -> Category:
    """The category ``pk`` locked until the transaction ends (moves and deletions of its subtree)."""
    return Category.objects.select_for_update().get(pk=pk)
