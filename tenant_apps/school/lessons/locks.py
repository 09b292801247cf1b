"""Row locks of the lessons app: a product first, then its groups and memberships (the platform-wide
order is in docs/architecture.md, "Locks in one order")."""

from __future__ import annotations

from tenant_apps.school.lessons.models import Author, Lesson, Product


def product_lock(pk: int) -> Product:
    """The product row, locked until the transaction ends (call inside ``transaction.atomic``).

    Every write on a product's lessons, groups and memberships takes this lock first.
    """
    return Product.objects.select_for_update(of=("self",)).get(pk=pk)


def author_lock(pk: int) -> Author:
    """The author row, locked until the transaction ends (edits and deletion of an author)."""
    return Author.objects.select_for_update().get(pk=pk)


def lesson_lock(pk: int) -> Lesson:
    """The lesson row, locked until the transaction ends; lock its product first when both change."""
    return Lesson.objects.select_for_update().get(pk=pk)
