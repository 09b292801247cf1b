"""Writes on authors, products, lessons, purchases and study groups, in the current school schema.

Rules: see ``models.py`` (issue 4, points 3 and 4; seed 004). Who may call what: ``access.py``;
the views check roles, and the services that act for a user check them again.

Locking, always in this order, so no two writers deadlock:

1. the **invoice** row (taken by the payments app before it sends ``invoice_paid``);
2. the **purchase** row (``product_purchase_mark_paid``);
3. the **product** row (``product_lock``): every write on a product's groups and memberships
   (``group_assign``, ``group_member_move``) takes it first, so placements of one product
   queue up and each sees the counts the previous one committed. Placements of different
   products do not wait for each other.

Ordering a product locks the student's live purchase of it (if any), then the invoice counter
(inside ``invoice_create``); it takes no invoice or product lock, so it cannot close a cycle with
the chain above. Two orders racing past the check meet at the partial unique index instead.

Every function is atomic and calls ``audit_record`` for each state change inside its transaction.
"""

from tenant_apps.school.lessons.services.catalog import (
    MAX_GROUP_SIZE,
    MAX_GROUPS_PER_BATCH,
    author_create,
    author_delete,
    author_update,
    lesson_create,
    lesson_delete,
    lesson_update,
    product_create,
    product_delete,
    product_update,
)
from tenant_apps.school.lessons.services.groups import group_assign, group_member_move
from tenant_apps.school.lessons.services.purchases import (
    PURCHASE_DUE_DAYS,
    product_purchase_create,
    product_purchase_mark_paid,
)

__all__ = [
    "MAX_GROUPS_PER_BATCH",
    "MAX_GROUP_SIZE",
    "PURCHASE_DUE_DAYS",
    "author_create",
    "author_delete",
    "author_update",
    "group_assign",
    "group_member_move",
    "lesson_create",
    "lesson_delete",
    "lesson_update",
    "product_create",
    "product_delete",
    "product_purchase_create",
    "product_purchase_mark_paid",
    "product_update",
]
