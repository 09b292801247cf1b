"""Request and response shapes of the catalog API.

Money is a string with two decimals (``"49.00"``) in the product's ``currency``. ``price`` is the
seller's price; ``effective_price`` what a buyer pays now (``pricing.effective_price``: the
largest of the product's own discount and any running sale event). A list computes the page's
effective prices in one query (``ProductListSerializer``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from saas.api.fields import AsciiDecimalField
from saas.api.schema import NamedChoiceField
from tenant_apps.files.services import file_download_url
from tenant_apps.store.catalog import pricing
from tenant_apps.store.catalog.access import can_see_product_status, can_see_seller_email
from tenant_apps.store.catalog.models import (
    Brand,
    BrandStatus,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    SaleEvent,
)
from tenant_apps.store.catalog.services import MAX_SALE_PRODUCTS
from tenant_apps.store.catalog.services.products import MAX_STOCK

MAX_ID = 2**63 - 1


# --- Categories -----------------------------------------------------------------------------------


class CategorySerializer(serializers.ModelSerializer):
    """A category: ``{id, name, slug, parent, depth, children_count}`` (``parent``: an id or
    ``null`` for a root; ``depth``: 1 for roots)."""

    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    children_count = serializers.IntegerField(source="numchild", read_only=True)

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "parent", "depth", "children_count", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent(self, category: Category) -> int | None:
        parent_id = getattr(category, "parent_id", None)
        if parent_id is not None or category.depth <= 1:
            return parent_id
        parent = Category.objects.get_parent(category)
        return parent.pk if parent else None


class CategoryTreeSerializer(serializers.Serializer):
    """A category with its subtree: ``{id, name, slug, depth, children: [...]}``."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    depth = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Categories, same shape.")


class CategoryWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/categories/`` and ``PATCH /api/v1/categories/{id}/`` (admin):
    ``{name, slug?, parent?}``; on ``PATCH`` a ``parent`` (an id, or ``null`` for the roots) moves
    the category with its subtree."""

    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=140, required=False, allow_blank=True)
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=Category.objects.all(), required=False, allow_null=True
    )


class CategoryRefSerializer(serializers.ModelSerializer):
    """A product's category: ``{id, name, slug}``."""

    class Meta:
        model = Category
        fields = ("id", "name", "slug")
        read_only_fields = fields


# --- Brands ---------------------------------------------------------------------------------------


class UserRefSerializer(serializers.Serializer):
    """A person shown on a brand or product: ``{id, name}`` (their full name, else ``"#<id>"``: no e-mail)."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user.full_name or f"#{user.pk}")


class BrandSerializer(serializers.ModelSerializer):
    """A brand: ``{id, name, slug, description, status, rejection_reason, owner, decided_at, created_at}``."""

    owner = UserRefSerializer(read_only=True)
    status = NamedChoiceField(choices=BrandStatus.choices, read_only=True, component_name="BrandStatusEnum")

    class Meta:
        model = Brand
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "status",
            "rejection_reason",
            "owner",
            "decided_at",
            "created_at",
        )
        read_only_fields = fields


class BrandCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/brands/`` (sellers whose rank unlocks brands): ``{name, description?}``."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class BrandRefSerializer(serializers.ModelSerializer):
    """A product's brand: ``{id, name, slug}``."""

    class Meta:
        model = Brand
        fields = ("id", "name", "slug")
        read_only_fields = fields


class CatalogRejectSerializer(serializers.Serializer):
    """Input of ``.../reject/`` (admin): ``{reason}``, required."""

    reason = serializers.CharField(max_length=2000)


# --- Products -------------------------------------------------------------------------------------


class ProductImageSerializer(serializers.ModelSerializer):
    """A product image: ``{id, url, thumbnail_url, position, alt_text}``; URLs are short-lived
    download links (``FILE_URL_TTL_SECONDS``)."""

    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ("id", "url", "thumbnail_url", "position", "alt_text")
        read_only_fields = fields

    def get_url(self, image: ProductImage) -> str:
        return file_download_url(image.file)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, image: ProductImage) -> str | None:
        return file_download_url(image.thumbnail) if image.thumbnail is not None else None


class ProductSellerSerializer(UserRefSerializer):
    """A product's seller: ``{id, name, email}``; ``email`` is ``null`` except for staff."""

    email = serializers.SerializerMethodField()

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, user: Any) -> str | None:
        return str(user.email) if self.context.get("staff") else None


class ProductListSerializer(serializers.ListSerializer):
    """A page of products: reads the page's effective prices in one query, then each product."""

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context["prices"] = pricing.effective_prices(items)  # type: ignore[union-attr,index]
        return [self.child.to_representation(item) for item in items]  # type: ignore[union-attr]


class ProductSerializer(serializers.ModelSerializer):
    """A product as the API shows it.

    ``status`` and ``rejection_reason`` are ``null`` except for its seller and admins; the
    seller's ``email`` is ``null`` except for admins. ``in_stock``: ``stock > 0``.
    """

    category = CategoryRefSerializer(read_only=True)
    brand = BrandRefSerializer(read_only=True, allow_null=True)
    seller = serializers.SerializerMethodField()
    price = AsciiDecimalField(max_digits=12, decimal_places=2, read_only=True)
    effective_price = serializers.SerializerMethodField()
    in_stock = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    rejection_reason = serializers.SerializerMethodField()
    images = ProductImageSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        list_serializer_class = ProductListSerializer
        fields = (
            "id",
            "title",
            "slug",
            "description",
            "category",
            "brand",
            "seller",
            "price",
            "effective_price",
            "discount_percent",
            "currency",
            "stock",
            "in_stock",
            "is_active",
            "status",
            "rejection_reason",
            "images",
            "avg_rating",
            "ratings_count",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _viewer(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)

    @extend_schema_field(ProductSellerSerializer)
    def get_seller(self, product: Product) -> dict[str, Any]:
        staff = self.context.get("staff")
        if staff is None:
            staff = self.context["staff"] = can_see_seller_email(self._viewer())  # type: ignore[index]
        return ProductSellerSerializer(product.seller, context={"staff": staff}).data  # type: ignore[return-value]

    @extend_schema_field(AsciiDecimalField(max_digits=12, decimal_places=2))
    def get_effective_price(self, product: Product) -> str:
        prices: dict[int, Decimal] = self.context.get("prices") or {}
        value = prices.get(product.pk)
        if value is None:
            value = pricing.effective_price(product)
        return f"{value:.2f}"

    def get_in_stock(self, product: Product) -> bool:
        return product.stock > 0

    @extend_schema_field(
        NamedChoiceField(choices=ProductStatus.choices, allow_null=True, component_name="ProductStatusEnum")
    )
    def get_status(self, product: Product) -> str | None:
        return str(product.status) if can_see_product_status(self._viewer(), product) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rejection_reason(self, product: Product) -> str | None:
        return product.rejection_reason if can_see_product_status(self._viewer(), product) else None


def _money_field(**kwargs: Any) -> AsciiDecimalField:
    return AsciiDecimalField(max_digits=12, decimal_places=2, **kwargs)


class ProductCreateSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/products/`` (sellers). ``price`` in the site's currency, above zero;
    ``brand`` an approved brand (your rank must unlock brands)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all(), required=False, allow_null=True)
    price = _money_field(help_text="Major units of the site's currency, above zero.")
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False, default=0)
    discount_percent = AsciiDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    is_active = serializers.BooleanField(required=False, default=True)


class ProductUpdateSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/products/{id}/`` (its seller; admin): any of the fields below;
    ``brand: null`` removes the brand. New text sends the product back to review."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False)
    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all(), required=False, allow_null=True)
    price = _money_field(required=False)
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    discount_percent = AsciiDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100"), required=False
    )
    is_active = serializers.BooleanField(required=False)


class AssignBrandSerializer(serializers.Serializer):
    """Input of ``PATCH /api/v1/products/{id}/assign-brand/``: ``{brand}`` (an id, or ``null`` to remove)."""

    brand = serializers.PrimaryKeyRelatedField(queryset=Brand.objects.all(), allow_null=True)


class ProductImageUploadSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/products/{id}/images/`` (multipart): ``file`` (PNG, JPEG, GIF, WebP),
    or ``file_id`` of an image you uploaded through ``POST /api/v1/files/``; ``alt_text``."""

    file = serializers.FileField(required=False)
    file_id = serializers.UUIDField(required=False)
    alt_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- Sale events ----------------------------------------------------------------------------------


class SaleEventSerializer(serializers.ModelSerializer):
    """A sale event: ``{id, name, percent, starts_at, ends_at, is_running, products: [ids], created_at}``."""

    products = serializers.SerializerMethodField()
    is_running = serializers.SerializerMethodField()

    class Meta:
        model = SaleEvent
        fields = ("id", "name", "percent", "starts_at", "ends_at", "is_running", "products", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_products(self, event: SaleEvent) -> list[int]:
        return sorted(p.pk for p in event.products.all())

    def get_is_running(self, event: SaleEvent) -> bool:
        return bool(event.starts_at <= timezone.now() < event.ends_at)


class SaleEventWriteSerializer(serializers.Serializer):
    """Input of ``POST /api/v1/sale-events/`` and ``PATCH /api/v1/sale-events/{id}/`` (admin)."""

    name = serializers.CharField(max_length=200)
    percent = AsciiDecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("100"), help_text="0-100."
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="After starts_at.")
    products = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_SALE_PRODUCTS,
        help_text="Product ids.",
    )
