"""Who may do what with products, lessons and study groups (school roles, ``accounts/roles.py``).

| action | who |
| --- | --- |
| list and read products (outline: lesson titles and count) | anyone, signed in or not |
| read the lessons' video URLs of a product | its paid buyers (``paid`` purchase); staff |
| buy a product | students |
| create, change, delete authors, products, lessons | admin |
| see a product's groups and their members | staff: admin, teacher, support |
| move a student between groups of a product | admin, support |
| see one's own groups and purchases | every signed-in user (their own only) |

``financial`` users are not staff here: they see outlines like anyone, and the invoices and
payments through the payments API. Unpublished products are visible to staff and to those who
bought them (a product taken off sale keeps its lessons for its buyers); others get 404.

Reads start from ``products_visible_to``; the lessons' video URLs are shown only after
``ensure_can_watch_lessons`` (403 ``payment_required`` otherwise, naming a purchase that waits for
payment). One object is fetched by ``access_product`` (checked against ``products_visible_to``),
``access_author``, ``access_lesson`` and ``access_group`` (existence only: their views admit the
roles first); each raises ``NotFound`` (404 ``not_found``) alike for a missing and a hidden object.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from saas.errors import ApplicationError, ErrorCode, NotFound, PermissionDenied
from tenant_apps.accounts.permissions import user_has_role
from tenant_apps.accounts.roles import ADMIN
from tenant_apps.school.kind import STUDENT, SUPPORT, TEACHER
from tenant_apps.school.lessons.models import (
    LIVE_PURCHASE_STATUSES,
    Author,
    Lesson,
    Product,
    ProductPurchase,
    PurchaseStatus,
    StudyGroup,
)

#: See every product (published or not), its full lessons and its groups.
STAFF_ROLES: tuple[str, ...] = (ADMIN, TEACHER, SUPPORT)
#: Move students between the groups of a product.
GROUP_MANAGER_ROLES: tuple[str, ...] = (ADMIN, SUPPORT)
#: Create, change and delete authors, products and lessons.
CATALOG_EDITOR_ROLES: tuple[str, ...] = (ADMIN,)
#: Buy products.
BUYER_ROLES: tuple[str, ...] = (STUDENT,)


def _has(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user is not None and user.is_authenticated and user_has_role(user, *roles))


def can_see_whole_catalog(user: Any) -> bool:
    """Whether ``user`` sees every product with its lessons and groups (admin, teacher, support)."""
    return _has(user, STAFF_ROLES)


def can_manage_groups(user: Any) -> bool:
    """Whether ``user`` may move students between groups (admin, support)."""
    return _has(user, GROUP_MANAGER_ROLES)


def can_edit_catalog(user: Any) -> bool:
    """Whether ``user`` may create, change and delete authors, products and lessons (admin)."""
    return _has(user, CATALOG_EDITOR_ROLES)


def can_buy(user: Any) -> bool:
    """Whether ``user`` may buy products (students)."""
    return _has(user, BUYER_ROLES)


def can_watch_lessons(user: Any, product: Product) -> bool:
    """Whether ``user`` may see ``product``'s lessons with their video URLs: staff, or a ``paid``
    purchase of it."""
    if can_see_whole_catalog(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    paid = ProductPurchase.objects.filter(student_id=user.pk, product_id=product.pk, status=PurchaseStatus.PAID)
    return paid.exists()


def ensure_can_watch_lessons(*, user: Any, product: Product) -> None:
    """Admit ``user`` to ``product``'s lessons with their video URLs (``can_watch_lessons``).

    Raises ``PermissionDenied`` with code ``payment_required`` (403) for anyone else; its
    ``details`` name the product and, when ``user`` has a purchase of it waiting for payment, that
    purchase, its invoice and the invoice's status, so a client can send them on to pay.
    """
    if can_watch_lessons(user, product):
        return
    details: dict[str, Any] = {"product": product.pk}
    if user is not None and user.is_authenticated:
        pending = (
            ProductPurchase.objects.filter(student_id=user.pk, product_id=product.pk, status__in=LIVE_PURCHASE_STATUSES)
            .select_related("invoice")
            .first()
        )
        if pending is not None:
            details.update(purchase=pending.pk, invoice=pending.invoice_id, invoice_status=pending.invoice.status)
    raise PermissionDenied("Pay for this product to see its lessons.", code=ErrorCode.PAYMENT_REQUIRED, details=details)


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


def _not_found(what: str) -> ApplicationError:
    return NotFound(f"No such {what}.")


def access_author(*, pk: Any) -> Author:
    """The author ``pk`` (authors are public); ``NotFound`` (404) otherwise."""
    author = Author.objects.filter(pk=pk).first()
    if author is None:
        raise _not_found("author")
    return author


def access_product(*, user: Any, pk: Any) -> Product:
    """The product ``pk``, if ``user`` may see it (``products_visible_to``: staff all,
    others the published ones and those they bought), with its author, lessons and lesson count.

    Raises ``NotFound`` (404 ``not_found``) for an unknown and a hidden product alike. No ``lock``:
    services lock the product themselves (``locks.product_lock``).
    """
    product = products_visible_to(user).filter(pk=pk).first()
    if product is None:
        raise _not_found("product")
    return product


def access_lesson(*, product: Product, pk: Any) -> Lesson:
    """Lesson ``pk`` of ``product`` (for editors: no payment check); ``NotFound`` (404) otherwise."""
    lesson = Lesson.objects.filter(product=product, pk=pk).first()
    if lesson is None:
        raise _not_found("lesson")
    return lesson


def access_group(*, pk: Any) -> StudyGroup:
    """Study group ``pk`` with its product and members (for staff: the view admits the roles);
    ``NotFound`` (404) otherwise."""
    from tenant_apps.school.lessons import selectors  # the group's shape; selectors import this module

    group = selectors.groups_with_members().select_related("product").filter(pk=pk).first()
    if group is None:
        raise _not_found("group")
    return group
