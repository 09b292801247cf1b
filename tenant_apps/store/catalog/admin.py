"""The store catalog in the site's admin: products and brands to moderate, categories, sale events.

Everything is read-only (``ServiceModelAdmin``); the moves are the API's admin moves, through the
same services with the signed-in admin as the actor:

* products: approve, reject with a reason (``product_approve`` / ``product_reject``);
* brands: approve, reject with a reason (``brand_approve`` / ``brand_reject``);
* categories: delete, with the subtree (``category_delete``: refused while products are filed there);
* sale events: delete (``sale_event_delete``: prices return to the products' own discounts).

Objects are fetched for the services the way the views fetch them (``access.access_product`` ...).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import form_action
from tenant_apps.store.admin_forms import ReasonForm
from tenant_apps.store.catalog import services
from tenant_apps.store.catalog.access import access_brand, access_category, access_product, access_sale_event
from tenant_apps.store.catalog.models import Brand, Category, Product, ProductImage, SaleEvent


class ProductImageInline(admin.TabularInline):  # type: ignore[type-arg]
    """A product's images, in order (read-only: images are added and removed through the API)."""

    model = ProductImage
    fields = ("position", "file", "thumbnail", "alt_text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductImage]:
        return super().get_queryset(request).select_related("file", "thumbnail")


@register(Product)
class ProductAdmin(ServiceModelAdmin):
    """Products of every seller; pending ones are approved or rejected here as through the API."""

    list_display = (
        "title",
        "seller",
        "category",
        "brand",
        "price",
        "currency",
        "stock",
        "status",
        "is_active",
        "avg_rating",
        "created_at",
    )
    list_filter = ("status", "is_active", "currency")
    search_fields = ("title", "slug", "seller__email", "brand__name")
    list_select_related = ("seller", "category", "brand")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    inlines = (ProductImageInline,)
    actions = ("approve_products", "reject_products")

    @service_action(description="Approve the selected products", success="{count} approved.")
    def approve_products(self, request: HttpRequest, product: Product) -> None:
        services.product_approve(actor=request.user, product=access_product(user=request.user, pk=product.pk))

    @form_action(description="Reject the selected products", form=ReasonForm, success="{count} rejected.")
    def reject_products(self, request: HttpRequest, product: Product, **data: Any) -> None:
        found = access_product(user=request.user, pk=product.pk)
        services.product_reject(actor=request.user, product=found, reason=data["reason"])


@register(Brand)
class BrandAdmin(ServiceModelAdmin):
    """Brands sellers proposed; pending ones are approved or rejected here as through the API."""

    list_display = ("name", "slug", "owner", "status", "decided_by", "decided_at", "created_at", "products_count")
    list_filter = ("status",)
    search_fields = ("name", "slug", "owner__email")
    list_select_related = ("owner", "decided_by")
    ordering = ("name", "id")
    actions = ("approve_brands", "reject_brands")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Brand]:
        return super().get_queryset(request).annotate(products_total=Count("products"))

    @admin.display(description="products", ordering="products_total")
    def products_count(self, brand: Any) -> int:
        """The products the brand is assigned to."""
        return int(brand.products_total)

    @service_action(description="Approve the selected brands", success="{count} approved.")
    def approve_brands(self, request: HttpRequest, brand: Brand) -> None:
        services.brand_approve(actor=request.user, brand=access_brand(user=request.user, pk=brand.pk))

    @form_action(description="Reject the selected brands", form=ReasonForm, success="{count} rejected.")
    def reject_brands(self, request: HttpRequest, brand: Brand, **data: Any) -> None:
        found = access_brand(user=request.user, pk=brand.pk)
        services.brand_reject(actor=request.user, brand=found, reason=data["reason"])


@register(Category)
class CategoryAdmin(ServiceModelAdmin):
    """The category tree, in tree order (``path``), with each category's product count."""

    list_display = ("name", "slug", "depth", "products_count", "created_at")
    list_filter = ("depth",)
    search_fields = ("name", "slug")
    ordering = ("path",)
    readonly_fields = ("path", "depth", "numchild")
    actions = ("delete_categories",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Category]:
        return super().get_queryset(request).annotate(products_total=Count("products"))

    @admin.display(description="products", ordering="products_total")
    def products_count(self, category: Any) -> int:
        """The products filed directly in the category (not its subtree)."""
        return int(category.products_total)

    @service_action(description="Delete the selected categories (with their subtrees)", success="{count} deleted.")
    def delete_categories(self, request: HttpRequest, category: Category) -> None:
        services.category_delete(actor=request.user, category=access_category(pk=category.pk))


@register(SaleEvent)
class SaleEventAdmin(ServiceModelAdmin):
    """Sale events, latest start first; deleting one goes through ``sale_event_delete``."""

    list_display = ("name", "percent", "starts_at", "ends_at", "products_count", "created_by", "created_at")
    list_filter = ("starts_at", "ends_at")
    search_fields = ("name",)
    list_select_related = ("created_by",)
    date_hierarchy = "starts_at"
    ordering = ("-starts_at", "-id")
    actions = ("delete_sale_events",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SaleEvent]:
        return super().get_queryset(request).annotate(products_total=Count("products"))

    @admin.display(description="products", ordering="products_total")
    def products_count(self, event: Any) -> int:
        """The products the sale applies to."""
        return int(event.products_total)

    @service_action(description="Delete the selected sale events", success="{count} deleted.")
    def delete_sale_events(self, request: HttpRequest, event: SaleEvent) -> None:
        services.sale_event_delete(actor=request.user, event=access_sale_event(pk=event.pk))
