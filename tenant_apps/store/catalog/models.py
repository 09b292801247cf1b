"""Categories, brands, products with images, and sale events (seed 001, the store).

* **Categories** form a tree (django-treebeard's materialised path: a subtree is one indexed
  ``path`` prefix scan, so "this category and everything under it" is one query).
* **Brands** are created by sellers whose rank unlocks them (``shop``), pending until an admin
  approves or rejects them with a reason; only approved brands can be assigned to products.
* **Products** belong to a seller, a category and optionally a brand. A new product is
  ``pending`` until an admin approves it; customers see only ``approved`` and active products.
  ``price`` is in ``currency`` (the site's wallet currency); ``stock`` never goes below zero (a
  check constraint, and checkout decrements it under the product's row lock). The product's
  own ``discount_percent`` and any running ``SaleEvent`` give the effective price, computed in one
  place only (``pricing.effective_price``). ``avg_rating`` and ``ratings_count`` are kept by the
  reviews app under the product's lock.
* Search: a generated ``search_vector`` (English full-text, GIN index) plus, where PostgreSQL has
  ``pg_trgm`` (created in the public schema by the tenancy app), a trigram index on the title for
  typo-tolerant matches (migration 0002; ``saas.db.extensions``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from treebeard.mp_tree import MP_Node

from tenant_apps.files.models import StoredFile


class Category(MP_Node):
    """A node of the category tree; ``slug`` is unique in the site."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    node_order_by = ["name"]

    class Meta:
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class BrandStatus(models.TextChoices):
    """A brand's approval state."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Brand(models.Model):
    """A brand a seller created; assignable to products once ``approved``."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="brands")
    status = models.CharField(max_length=16, choices=BrandStatus.choices, default=BrandStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="catalog_brand_name_unique_ci"),
            models.CheckConstraint(
                condition=~Q(status=BrandStatus.REJECTED) | ~Q(rejection_reason=""),
                name="catalog_brand_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductStatus(models.TextChoices):
    """A product's approval state; customers see ``approved`` ones only."""

    PENDING = "pending", "Pending approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Product(models.Model):
    """A product a seller sells: ``price`` (> 0, 2 places) in ``currency``; ``stock`` units left."""

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store_products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    discount_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0.00"), help_text="The product's own discount, 0-100."
    )
    stock = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=ProductStatus.choices, default=ProductStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Unset by its seller to take it off sale.")
    avg_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"))
    ratings_count = models.PositiveIntegerField(default=0)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config="english")
        + SearchVector("description", weight="B", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="catalog_product_price_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="catalog_product_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(avg_rating__gte=0) & Q(avg_rating__lte=5), name="catalog_product_avg_rating_range"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="catalog_product_search"),
            models.Index(fields=["status", "is_active", "-created_at"], name="catalog_product_listing"),
            models.Index(fields=["seller", "-created_at"], name="catalog_product_seller"),
        ]

    def __str__(self) -> str:
        return self.title


class ProductImage(models.Model):
    """An image of a product (a stored file, sniffed as an image) with its thumbnail, in order."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    thumbnail = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("position", "id")

    def __str__(self) -> str:
        return f"image #{self.pk} of product #{self.product_id}"


class SaleEvent(models.Model):
    """A time-boxed discount (``percent``, 0-100) over many products, from ``starts_at`` to
    ``ends_at`` (UTC). Where several apply, the largest discount wins (``pricing``)."""

    name = models.CharField(max_length=200)
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    products = models.ManyToManyField(Product, related_name="sale_events", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-starts_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="catalog_sale_ends_after_start"),
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="catalog_sale_percent_range"),
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="catalog_sale_window")]

    def __str__(self) -> str:
        return self.name
