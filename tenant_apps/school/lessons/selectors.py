"""Reads on products, lessons, purchases and study groups, starting from the scopes in
``access.py`` (``products_visible_to``); one object is fetched, checked, by the ``access.access_*``
functions.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from tenant_apps.school.lessons.access import products_visible_to
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


def lesson_list(*, product: Product) -> QuerySet[Lesson]:
    """``product``'s lessons with their video URLs, in order. Only for those
    ``access.ensure_can_watch_lessons`` admits (paid buyers and staff): the views check first."""
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
