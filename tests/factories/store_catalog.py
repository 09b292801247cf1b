"""The store's catalog and seller points (store kind), made by ``store.catalog.services`` and
``store.shop.services``: categories, brands, products, images, sale events, points."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tenant_apps.store.catalog.models import (
    Brand,
    BrandStatus,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    SaleEvent,
)
from tenant_apps.store.catalog.services import (
    brand_approve,
    brand_create,
    brand_reject,
    category_create,
    product_approve,
    product_create,
    product_image_add,
    product_reject,
    sale_event_create,
)
from tenant_apps.store.shop.models import PointsEntryKind, SellerAccount
from tenant_apps.store.shop.services import seller_account_open, seller_points_change, store_settings
from tests.factories.accounts import UserFactory
from tests.factories.base import ServiceFactory, site_admin


def png_bytes(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real PNG (Pillow), ``size`` pixels of ``color``."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def brand_points() -> int:
    """The points the site's ``brand_rank`` needs (what a seller making brands must hold)."""
    row = store_settings()
    return int((row.ranks or {}).get(row.brand_rank, 0))


class SellerAccountFactory(ServiceFactory[SellerAccount]):
    """``seller``'s points account (default: a new seller) holding ``points``, reached by one
    ``adjustment`` entry through ``seller_points_change`` (none for 0)."""

    class Meta:
        model = SellerAccount

    seller = factory.SubFactory(UserFactory, roles=["seller"])
    points = 0

    @classmethod
    def _create(cls, model_class: type[SellerAccount], *, seller: Any, points: int) -> SellerAccount:
        account = seller_account_open(seller=seller)
        if points != account.points:
            seller_points_change(seller=seller, delta=points - account.points, kind=PointsEntryKind.ADJUSTMENT)
        account.refresh_from_db()
        return account


def ranked_seller(**fields: Any) -> Any:
    """A new seller whose points reach the site's ``brand_rank`` (may create and assign brands)."""
    seller = UserFactory(roles=["seller"], **fields)
    SellerAccountFactory(seller=seller, points=brand_points())
    return seller


class CategoryFactory(ServiceFactory[Category]):
    """A category made by ``category_create`` as ``actor`` (default: the site's admin), under
    ``parent`` (default: a root); slug made unique from the name."""

    class Meta:
        model = Category

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Category {n}")
    slug = ""
    parent: Category | None = None

    @classmethod
    def _create(cls, model_class: type[Category], *args: Any, **kwargs: Any) -> Category:
        return category_create(**kwargs)


class BrandFactory(ServiceFactory[Brand]):
    """A brand proposed by ``owner`` (default: a new seller whose points reach the brand rank) through
    ``brand_create``: pending. ``status`` approved or rejected is reached through ``brand_approve``
    / ``brand_reject`` by ``decided_by`` (default: the site's admin), which notify the owner.

    Traits: ``approved``, ``rejected``.
    """

    class Meta:
        model = Brand

    class Params:
        approved = factory.Trait(status=BrandStatus.APPROVED)
        rejected = factory.Trait(status=BrandStatus.REJECTED)

    owner = factory.LazyFunction(ranked_seller)
    name = factory.Sequence(lambda n: f"Brand {n}")
    description = ""
    status = BrandStatus.PENDING
    decided_by = factory.LazyFunction(site_admin)
    reason = "Not a brand we carry."

    @classmethod
    def _create(cls, model_class: type[Brand], *args: Any, **kwargs: Any) -> Brand:
        status, admin, reason = kwargs.pop("status"), kwargs.pop("decided_by"), kwargs.pop("reason")
        brand = brand_create(actor=kwargs.pop("owner"), **kwargs)
        if status == BrandStatus.APPROVED:
            brand = brand_approve(actor=admin, brand=brand)
        elif status == BrandStatus.REJECTED:
            brand = brand_reject(actor=admin, brand=brand, reason=reason)
        elif status != BrandStatus.PENDING:
            raise ValueError(f"BrandFactory: unknown status {status!r}")
        return brand


class StoreProductFactory(ServiceFactory[Product]):
    """A product listed by ``seller`` (default: a new seller) through ``product_create``: pending, in
    the site's currency, 25.00 with 10 in stock, in a new root category. ``status`` approved or
    rejected is reached through ``product_approve`` / ``product_reject`` by the site's admin.
    ``images`` small PNGs are added by ``product_image_add`` (each with its thumbnail).

    Traits: ``approved``, ``rejected``.
    """

    class Meta:
        model = Product

    class Params:
        approved = factory.Trait(status=ProductStatus.APPROVED)
        rejected = factory.Trait(status=ProductStatus.REJECTED)

    seller = factory.SubFactory(UserFactory, roles=["seller"])
    title = factory.Sequence(lambda n: f"Store product {n}")
    description = ""
    category = factory.SubFactory(CategoryFactory)
    price: Decimal | str = "25.00"
    stock = 10
    discount_percent: Decimal | str = "0"
    is_active = True
    brand: Brand | None = None
    status = ProductStatus.PENDING
    images = 0

    @classmethod
    def _create(cls, model_class: type[Product], *args: Any, **kwargs: Any) -> Product:
        status, images = kwargs.pop("status"), kwargs.pop("images")
        product = product_create(actor=kwargs.pop("seller"), **kwargs)
        for n in range(images):
            upload = SimpleUploadedFile(f"image-{n}.png", png_bytes(color=(n * 40 % 256, 90, 160)))
            product_image_add(actor=product.seller, product=product, upload=upload)
        if status == ProductStatus.APPROVED:
            product = product_approve(actor=site_admin(), product=product)
        elif status == ProductStatus.REJECTED:
            product = product_reject(actor=site_admin(), product=product, reason="Blurry photos.")
        elif status != ProductStatus.PENDING:
            raise ValueError(f"StoreProductFactory: unknown status {status!r}")
        product.refresh_from_db()
        return product


class ProductImageFactory(ServiceFactory[ProductImage]):
    """An image of ``product`` (default: a new product) uploaded by its seller through
    ``product_image_add``: a small PNG and its thumbnail."""

    class Meta:
        model = ProductImage

    product = factory.SubFactory(StoreProductFactory)
    alt_text = ""

    @classmethod
    def _create(cls, model_class: type[ProductImage], *, product: Product, alt_text: str) -> ProductImage:
        upload = SimpleUploadedFile("image.png", png_bytes())
        return product_image_add(actor=product.seller, product=product, upload=upload, alt_text=alt_text)


class SaleEventFactory(ServiceFactory[SaleEvent]):
    """A sale event made by ``sale_event_create`` as ``actor`` (default: the site's admin): 20 %
    off ``products`` (default: none), running from an hour ago for a week."""

    class Meta:
        model = SaleEvent

    actor = factory.LazyFunction(site_admin)
    name = factory.Sequence(lambda n: f"Sale {n}")
    percent: Decimal | str = "20.00"
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    products: list[Product] = []

    @classmethod
    def _create(cls, model_class: type[SaleEvent], *args: Any, **kwargs: Any) -> SaleEvent:
        return sale_event_create(**kwargs)
