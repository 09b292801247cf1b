"""Who may see and do what in the store's catalog (store roles, ``tenant_apps/store/kind.py``).

| action | who |
| --- | --- |
| list and read categories | anyone, signed in or not |
| create, rename, move, delete categories | admin |
| list and read products | anyone: ``approved`` and active ones; sellers also their own in any state; admin all |
| create products | sellers (pending until an admin approves) |
| change a product, add and delete its images | its seller; admin |
| approve, reject products | admin |
| list and read brands | anyone: ``approved`` ones; sellers also their own; admin all |
| create brands, assign brands to products | sellers whose rank unlocks brands (``shop``) |
| approve, reject brands | admin |
| list, read, create, change, delete sale events | admin |

Objects a user may not see answer 404 (``NotFound``), exactly like missing ones; actions their
role does not allow on objects they may see answer 403. Reads start from ``products_visible_to``
and ``brands_visible_to``; one object is fetched, checked, by ``access_product``,
``access_brand``, ``access_category``, ``access_sale_event`` and ``access_product_image``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from saas.db.tenant import current_kind
from saas.errors import ErrorCode, NotFound, PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.store.catalog.models import (
    Brand,
    BrandStatus,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    SaleEvent,
)
from tenant_apps.store.kind import KIND, SELLER

#: Moderate the catalog: categories, approvals, sale events, every product and brand.
CATALOG_ADMIN_ROLES: tuple[str, ...] = (ADMIN,)
#: Sell: create products and (rank permitting) brands.
SELLER_ROLES: tuple[str, ...] = (SELLER,)


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_manage_catalog(user: Any) -> bool:
    """Whether ``user`` moderates the catalog (admin): categories, approvals, sale events."""
    return _active(user) and user_has_role(user, *CATALOG_ADMIN_ROLES)


def can_sell(user: Any) -> bool:
    """Whether ``user`` may create products and ask for brands (seller)."""
    return _active(user) and user_has_role(user, *SELLER_ROLES)


def can_change_product(user: Any, product: Product) -> bool:
    """Whether ``user`` may change ``product`` and its images: its seller (still a seller) or an admin."""
    if can_manage_catalog(user):
        return True
    return can_sell(user) and product.seller_id == user.pk


def can_see_product_status(user: Any, product: Product) -> bool:
    """Whether ``user`` sees ``product``'s moderation state (``status``, rejection reason): its seller, admin."""
    return can_manage_catalog(user) or (_active(user) and product.seller_id == user.pk)


def can_see_seller_email(user: Any) -> bool:
    """Whether ``user`` sees sellers' e-mail addresses on products (staff: admin)."""
    return can_manage_catalog(user)


def ensure_brands_unlocked(user: Any) -> None:
    """Admit ``user`` to creating and assigning brands: their rank reaches the settings'
    ``brand_rank`` (``shop.services.brands_unlocked``; admins always).

    Raises ``PermissionDenied`` ``rank_too_low`` (403), ``details``: ``points``, ``rank``,
    ``required_rank`` and its ``required_points``.
    """
    from tenant_apps.store.shop import services as shop

    if can_manage_catalog(user):
        return
    row = shop.store_settings()
    if shop.brands_unlocked(user, settings_row=row):
        return
    points = shop.seller_points(user)
    raise PermissionDenied(
        f"Brands unlock at the rank {row.brand_rank!r}.",
        code=ErrorCode.RANK_TOO_LOW,
        details={
            "points": points,
            "rank": shop.seller_rank(points, settings_row=row),
            "required_rank": row.brand_rank,
            "required_points": (row.ranks or {}).get(row.brand_rank),
        },
    )


def products_visible_to(user: Any) -> QuerySet[Product]:
    """Products ``user`` may see: admin all; sellers the approved active ones and their own in any
    state; everyone else (anonymous included) the approved active ones."""
    products = Product.objects.all()
    if can_manage_catalog(user):
        return products
    on_sale = Q(status=ProductStatus.APPROVED, is_active=True)
    if can_sell(user):
        return products.filter(on_sale | Q(seller_id=user.pk))
    return products.filter(on_sale)


def brands_visible_to(user: Any) -> QuerySet[Brand]:
    """Brands ``user`` may see: admin all; sellers the approved ones and their own; others approved ones."""
    brands = Brand.objects.all()
    if can_manage_catalog(user):
        return brands
    if can_sell(user):
        return brands.filter(Q(status=BrandStatus.APPROVED) | Q(owner_id=user.pk))
    return brands.filter(status=BrandStatus.APPROVED)


def product_image_readable(user: Any, stored_file: Any) -> bool:
    """File-access rule (``tenant_apps.files.access``): an image or thumbnail of a product ``user``
    may see is readable by ``user``. Registered process-wide: answers ``False`` outside store sites,
    whose schemas have no catalog tables."""
    if current_kind() != KIND.name:
        return False
    visible = products_visible_to(user).values("pk")
    return ProductImage.objects.filter(
        Q(file_id=stored_file.pk) | Q(thumbnail_id=stored_file.pk), product_id__in=visible
    ).exists()


def access_product(*, user: Any, pk: Any) -> Product:
    """The product ``pk`` if ``user`` may see it (``products_visible_to``), in the shape the API
    answers with (``selectors.product_detail``: seller, category, brand, images loaded).

    Raises ``NotFound`` (404 ``not_found``) for an unknown and a hidden product alike. No ``lock``:
    services lock the product themselves (``locks.product_lock``).
    """
    from tenant_apps.store.catalog import selectors  # the product's shape; selectors import this module

    product = selectors.with_details(products_visible_to(user)).filter(pk=pk).first()
    if product is None:
        raise NotFound("No such product.")
    return product


def access_brand(*, user: Any, pk: Any) -> Brand:
    """The brand ``pk`` if ``user`` may see it (``brands_visible_to``); ``NotFound`` (404) otherwise."""
    brand = brands_visible_to(user).select_related("owner").filter(pk=pk).first()
    if brand is None:
        raise NotFound("No such brand.")
    return brand


def access_category(*, pk: Any) -> Category:
    """The category ``pk`` (categories are public); ``NotFound`` (404) otherwise."""
    category = Category.objects.filter(pk=pk).first()
    if category is None:
        raise NotFound("No such category.")
    return category


def access_sale_event(*, pk: Any) -> SaleEvent:
    """The sale event ``pk`` (for admins: the views admit the role first); ``NotFound`` (404) otherwise."""
    event = SaleEvent.objects.prefetch_related("products").filter(pk=pk).first()
    if event is None:
        raise NotFound("No such sale event.")
    return event


def access_product_image(*, product: Product, pk: Any) -> ProductImage:
    """Image ``pk`` of ``product`` (already checked by ``access_product``); ``NotFound`` (404) otherwise."""
    image = ProductImage.objects.filter(product=product, pk=pk).first()
    if image is None:
        raise NotFound("No such image.")
    return image
