"""The school's admin pages for the online courses: authors, products with their lessons and study
groups, purchases and group seats.

Read-only pages; the changes an admin makes in the API are actions here, calling the same
services with the signed-in admin as the actor:

* products: publish, unpublish (``product_update(is_published=...)``);
* group seats: move a student to another group of the same product, the group asked on an
  intermediate page (``group_member_move``: same product, not full).

Purchases turn paid with their invoice (payments app) and seats are given on payment
(``group_assign``): those rows are only shown here. Each list joins or counts what it shows
(``select_related``, annotations), so a page costs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from saas.admin import ServiceModelAdmin, register, service_action
from saas.admin.extras import ReadOnlyInline, form_action
from tenant_apps.school.lessons import services
from tenant_apps.school.lessons.models import (
    Author,
    GroupMembership,
    Lesson,
    Product,
    ProductPurchase,
    StudyGroup,
)


@register(Author)
class AuthorAdmin(ServiceModelAdmin):
    """Authors, with how many products each has."""

    list_display = ("name", "product_count", "created_at")
    list_filter = ("created_at",)
    search_fields = ("name", "bio")
    fields = ("name", "bio", "product_count", "created_at")
    readonly_fields = ("product_count",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).annotate(products_n=Count("products"))

    @staticmethod
    def product_count(author: Any) -> int:
        """Products by this author."""
        return int(getattr(author, "products_n", 0))


class LessonInline(ReadOnlyInline):
    """A product's lessons, in order."""

    model = Lesson
    fields = ("order", "title", "video_url")
    ordering = ("order",)


class StudyGroupInline(ReadOnlyInline):
    """A product's study groups, in creation order."""

    model = StudyGroup
    fields = ("number", "name", "member_count", "capacity")
    ordering = ("number",)


@register(Product)
class ProductAdmin(ServiceModelAdmin):
    """Products: publish or unpublish (``product_update``)."""

    list_display = ("title", "author", "price", "currency", "is_published", "lesson_count", "created_at")
    list_filter = ("is_published", "currency")
    search_fields = ("title", "slug", "description", "author__name")
    list_select_related = ("author",)
    fields = (
        "title",
        "slug",
        "author",
        "description",
        "price",
        "currency",
        "is_published",
        "groups_per_batch",
        "max_group_size",
        "created_at",
        "updated_at",
    )
    inlines = (LessonInline, StudyGroupInline)
    actions = ("publish", "unpublish")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).annotate(lessons_n=Count("lessons"))

    @staticmethod
    def lesson_count(product: Any) -> int:
        """Lessons of the product."""
        return int(getattr(product, "lessons_n", 0))

    @service_action(description="Publish the selected products (on sale)", success="{count} published.")
    def publish(self, request: HttpRequest, product: Any) -> None:
        services.product_update(actor=request.user, product=product, is_published=True)

    @service_action(description="Unpublish the selected products", success="{count} unpublished.")
    def unpublish(self, request: HttpRequest, product: Any) -> None:
        services.product_update(actor=request.user, product=product, is_published=False)


@register(ProductPurchase)
class ProductPurchaseAdmin(ServiceModelAdmin):
    """Purchases and their payment state (the invoice's: see the payments pages)."""

    list_display = ("id", "student", "product", "status", "invoice", "created_at", "paid_at")
    list_filter = ("status", "product")
    search_fields = ("student__email", "student__full_name", "product__title", "invoice__number")
    list_select_related = ("student", "product", "invoice")
    date_hierarchy = "created_at"
    fields = ("student", "product", "status", "invoice", "created_at", "paid_at")


class MembershipInline(ReadOnlyInline):
    """A group's members, in joining order."""

    model = GroupMembership
    fk_name = "group"
    fields = ("student", "joined_at")
    ordering = ("joined_at", "id")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("student")


@register(StudyGroup)
class StudyGroupAdmin(ServiceModelAdmin):
    """Study groups with their members."""

    list_display = ("name", "product", "number", "member_count", "capacity", "created_at")
    list_filter = ("product",)
    search_fields = ("name", "product__title")
    list_select_related = ("product",)
    ordering = ("product__title", "number")
    fields = ("product", "number", "name", "member_count", "capacity", "created_at")
    inlines = (MembershipInline,)


class MoveForm(forms.Form):
    """The group to move the selected students to (one of their product's groups)."""

    to_group = forms.ModelChoiceField(queryset=StudyGroup.objects.none(), label="To group")

    def __init__(self, *args: Any, products: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = StudyGroup.objects.filter(product_id__in=products or []).select_related("product")
        self.fields["to_group"].queryset = groups.order_by("product__title", "number")  # type: ignore[attr-defined]


def _products_of(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> dict[str, Any]:
    return {"products": sorted({membership.product_id for membership in queryset})}


@register(GroupMembership)
class GroupMembershipAdmin(ServiceModelAdmin):
    """Group seats: move a student to another group of the product (``group_member_move``)."""

    list_display = ("student", "group", "product", "joined_at")
    list_filter = ("product",)
    search_fields = ("student__email", "student__full_name", "group__name", "product__title")
    list_select_related = ("student", "group", "product")
    fields = ("student", "group", "product", "joined_at")
    actions = ("move",)

    @form_action(
        description="Move the selected students to another group",
        form=MoveForm,
        form_kwargs=_products_of,
        success="{count} moved.",
    )
    def move(self, request: HttpRequest, membership: Any, *, to_group: StudyGroup) -> None:
        services.group_member_move(
            actor=request.user, group=membership.group, student=membership.student, to_group=to_group
        )
