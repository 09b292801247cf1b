"""Reads on products, lessons, purchases and study groups, scoped to what the user may see
(``access.py``); one object is fetched, checked, by the ``access.access_*`` functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from saas.errors import ErrorCode, PermissionDenied
from tenant_apps.school.lessons.access import can_see_whole_catalog, can_watch_lessons
from tenant_apps.school.lessons.models import (
    LIVE_PURCHASE_STATUSES,
    Author,
    GroupMembership,
    Lesson,
    Product,
    ProductPurchase,
    PurchaseStatus,
    StudyGroup,
)


def author_list() -> QuerySet[Author]:
    """Every author, by name."""
    return Author.objects.order_by("name", "id")


def products_visible_to(user: Any) -> QuerySet[Product]:
    """Products ``user`` may see, with author and ordered lessons prefetched (a product's lesson
    count is the length of its prefetched lessons: no count grouped over the whole catalog).

    Staff: all; anyone else: published ones and those they have bought (any purchase status).
    """
    products = Product.objects.select_related("author").prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("order"))
    )
    if can_see_whole_catalog(user):
        return products
    if user is not None and user.is_authenticated:
        bought = ProductPurchase.objects.filter(student_id=user.pk).values("product_id")
        return products.filter(Q(is_published=True) | Q(pk__in=bought))
    return products.filter(is_published=True)


def product_list(*, user: Any, published: bool | None = None) -> QuerySet[Product]:
    """Products ``user`` may see, by title; ``published`` filters on the flag (useful to staff)."""
    products = products_visible_to(user)
    if published is not None:
        products = products.filter(is_published=published)
    return products.order_by("title", "id")


def paid_product_ids(user: Any) -> frozenset[int]:
    """Ids of the products ``user`` has a ``paid`` purchase of (empty for anonymous users)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(
        ProductPurchase.objects.filter(student_id=user.pk, status=PurchaseStatus.PAID).values_list(
            "product_id", flat=True
        )
    )


def live_purchases_by_product(user: Any) -> dict[int, ProductPurchase]:
    """``user``'s live (pending or paid) purchases, loaded like ``purchase_list``, by product id."""
    if user is None or not user.is_authenticated:
        return {}
    purchases = purchase_list(user=user).filter(status__in=LIVE_PURCHASE_STATUSES)
    return {purchase.product_id: purchase for purchase in purchases}


def lesson_list(*, user: Any, product: Product) -> QuerySet[Lesson]:
    """``product``'s lessons with their video URLs, in order, for paid buyers and staff.

    Raises ``ApplicationError`` ``payment_required`` (403) for anyone else; ``details`` say
    whether they have a purchase waiting for payment (``purchase``, ``invoice``).
    """
    if not can_watch_lessons(user, product):
        pending = live_purchases_by_product(user).get(product.pk)
        details: dict[str, Any] = {"product": product.pk}
        if pending is not None:
            details.update(purchase=pending.pk, invoice=pending.invoice_id, invoice_status=pending.invoice.status)
        raise PermissionDenied(
            "Pay for this product to see its lessons.", code=ErrorCode.PAYMENT_REQUIRED, details=details
        )
    return Lesson.objects.filter(product=product).order_by("order")


def purchase_list(*, user: Any) -> QuerySet[ProductPurchase]:
    """``user``'s own purchases, newest first, with product, invoice and group membership loaded."""
    memberships = GroupMembership.objects.filter(student_id=user.pk).select_related("group")
    return (
        ProductPurchase.objects.filter(student_id=user.pk)
        .select_related("product", "invoice")
        .prefetch_related(Prefetch("product__memberships", queryset=memberships, to_attr="own_memberships"))
        .order_by("-created_at", "-id")
    )


def groups_with_members() -> QuerySet[StudyGroup]:
    """Every study group, with its members (and their students) prefetched in joining order."""
    members = GroupMembership.objects.select_related("student").order_by("joined_at", "id")
    return StudyGroup.objects.prefetch_related(Prefetch("memberships", queryset=members))


def group_list(*, product: Product) -> QuerySet[StudyGroup]:
    """``product``'s groups in creation order with their members (staff; the view checks the role)."""
    return groups_with_members().filter(product=product).order_by("number", "id")


def membership_list(*, user: Any) -> QuerySet[GroupMembership]:
    """``user``'s own group memberships (one per paid product), with group and product, newest first."""
    return (
        GroupMembership.objects.filter(student_id=user.pk)
        .select_related("group", "product")
        .order_by("-joined_at", "-id")
    )
