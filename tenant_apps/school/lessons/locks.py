"""Row locks of the lessons app (the platform-wide order is in docs/architecture.md, "Locks in one
order"): inside a payment's transaction, the purchase its invoice bills, then the product, then its
groups and memberships; catalog edits lock an author, a product, then a lesson.

Ordering a product locks the student's live purchase of it (``live_purchase_lock``) before the
invoice counter: no transaction that holds the counter goes on to lock a purchase, so this cannot
close a cycle with the order above.
"""

from __future__ import annotations

from tenant_apps.school.lessons.models import LIVE_PURCHASE_STATUSES, Author, Lesson, Product, ProductPurchase


def product_lock(pk: int) -> Product:
    """The product row, locked until the transaction ends (call inside ``transaction.atomic``).

    Every write on a product's lessons, groups and memberships takes this lock first.
    """
    return Product.objects.select_for_update(no_key=True, of=("self",)).get(pk=pk)


def author_lock(pk: int) -> Author:
    """The author row, locked until the transaction ends (edits and deletion of an author)."""
    return Author.objects.select_for_update(no_key=True).get(pk=pk)


def lesson_lock(pk: int) -> Lesson:
    """The lesson row, locked until the transaction ends; lock its product first when both change."""
    return Lesson.objects.select_for_update(no_key=True).get(pk=pk)


def live_purchase_lock(*, student_id: int, product_id: int) -> ProductPurchase | None:
    """The student's live (pending or paid) purchase of the product, with its invoice, locked until the
    transaction ends (call inside ``transaction.atomic``); ``None`` when there is none.

    A concurrent order that finds the same purchase waits here and then reads what the first one
    committed (a purchase it cancelled is no longer live). When there is no purchase yet there is no
    row to lock: the partial unique index (one live purchase per student and product) decides.
    """
    return (
        ProductPurchase.objects.select_for_update(no_key=True, of=("self",))
        .select_related("invoice")
        .filter(student_id=student_id, product_id=product_id, status__in=LIVE_PURCHASE_STATUSES)
        .first()
    )


def invoice_purchase_lock(invoice_id: int) -> ProductPurchase | None:
    """The purchase billed by invoice ``invoice_id``, with its student, locked until the transaction
    ends; ``None`` when the invoice bills no purchase. Taken inside the payment's transaction, after
    the invoice's lock (``payments.locks.invoice_lock``) and before the product's (``product_lock``).
    """
    return (
        ProductPurchase.objects.select_for_update(no_key=True, of=("self",))
        .select_related("student")
        .filter(invoice_id=invoice_id)
        .first()
    )
