"""Writes on the store's catalog: categories, brands, products, images and sale events.

Rules: ``models.py`` (seed 001, the store); who may call what: ``access.py`` (the views check
roles, and every service checks again). Every function is keyword-only, atomic, audits each
change inside its transaction and takes its row locks through ``locks.py``, in this order:

1. the category tree (``category_tree_lock``, advisory), then category rows (a subtree, or the
   category a product goes into);
2. a brand (``brand_lock``), before the products it is assigned to;
3. products (``product_lock`` / ``products_lock``, primary-key order), before any wallet
   (docs/architecture.md, "Locks in one order");
4. a sale event (``sale_event_lock``), taken alone.
"""

from tenant_apps.store.catalog.services.brands import brand_approve, brand_create, brand_reject
from tenant_apps.store.catalog.services.categories import (
    category_create,
    category_delete,
    category_move,
    category_rename,
)
from tenant_apps.store.catalog.services.images import (
    MAX_IMAGES,
    make_thumbnail,
    product_image_add,
    product_image_delete,
)
from tenant_apps.store.catalog.services.products import (
    PRODUCT_FIELDS,
    product_approve,
    product_assign_brand,
    product_create,
    product_reject,
    product_update,
)
from tenant_apps.store.catalog.services.sales import (
    MAX_SALE_PRODUCTS,
    sale_event_create,
    sale_event_delete,
    sale_event_update,
)

__all__ = [
    "MAX_IMAGES",
    "MAX_SALE_PRODUCTS",
    "PRODUCT_FIELDS",
    "brand_approve",
    "brand_create",
    "brand_reject",
    "category_create",
    "category_delete",
    "category_move",
    "category_rename",
    "make_thumbnail",
    "product_approve",
    "product_assign_brand",
    "product_create",
    "product_image_add",
    "product_image_delete",
    "product_reject",
    "product_update",
    "sale_event_create",
    "sale_event_delete",
    "sale_event_update",
]
