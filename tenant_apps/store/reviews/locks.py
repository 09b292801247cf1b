"""Row locks of the reviews app: a review changes its product's rating aggregates under the
product's row lock (``catalog.locks.product_lock``), taken before the review row is written, so
concurrent reviews of one product recompute one after the other and none is lost."""

from __future__ import annotations

from tenant_apps.store.catalog.locks import product_lock
from tenant_apps.store.catalog.models import Product


def rated_product_lock(pk: int) -> Product:
    """The product ``pk`` locked until the transaction ends, before its reviews change."""
    return product_lock(pk)
